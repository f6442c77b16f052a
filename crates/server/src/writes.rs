//! Fair use of anonymous writes. Anyone on the city's network may hand in requests without a
//! login; without a limit, one script wrote ~2,100 records a second and could fill the disk.
//! Each device key and each client address has a budget of mutations per window: far above
//! what a colleague sends (a request is one mutation, an offline morning a few dozen), far
//! below a script. And before the disk is full, anonymous writes stop while Lotsen and the
//! Projektbüro can still work (and clean up). Logged-in callers are not counted.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Mutations an anonymous sender may push per window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriteBudgetConfig {
    pub window: Duration,
    /// Per device key. At least one full push (100 mutations), so an outbox always drains.
    pub per_device: u32,
    /// Per client address: behind the city's proxy every colleague shares one.
    pub per_address: u32,
}

impl Default for WriteBudgetConfig {
    fn default() -> Self {
        WriteBudgetConfig {
            window: Duration::from_secs(10 * 60),
            per_device: 300,
            per_address: 2_000,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Sender {
    Device(String),
    Address(IpAddr),
}

/// What a sender has used in its current window.
#[derive(Clone, Copy, Debug)]
struct Used {
    count: u32,
    since: Instant,
}

/// Above this many senders, finished windows are swept on the next take.
const SWEEP_ABOVE: usize = 10_000;

pub struct WriteBudget {
    config: WriteBudgetConfig,
    used: Mutex<HashMap<Sender, Used>>,
}

impl WriteBudget {
    pub fn new(config: WriteBudgetConfig) -> WriteBudget {
        WriteBudget {
            config,
            used: Mutex::new(HashMap::new()),
        }
    }

    /// Takes `n` mutations from the budgets of `device` (a device key hash) and `addr`, or
    /// takes nothing and says how long until the exhausted window ends.
    pub fn take(&self, device: Option<&str>, addr: Option<IpAddr>, n: u32) -> Result<(), Duration> {
        let now = Instant::now();
        let window = self.config.window;
        let mut used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        if used.len() > SWEEP_ABOVE {
            used.retain(|_, u| now.duration_since(u.since) < window);
        }
        let senders: Vec<(Sender, u32)> = device
            .map(|d| (Sender::Device(d.to_owned()), self.config.per_device))
            .into_iter()
            .chain(addr.map(|a| (Sender::Address(a), self.config.per_address)))
            .collect();
        let mut wait = Duration::ZERO;
        for (sender, limit) in &senders {
            let (count, left) = match used.get(sender) {
                Some(u) if now.duration_since(u.since) < window => {
                    (u.count, window - now.duration_since(u.since))
                }
                _ => (0, window),
            };
            if count.saturating_add(n) > *limit {
                wait = wait.max(left);
            }
        }
        if !wait.is_zero() {
            return Err(wait);
        }
        for (sender, _) in senders {
            let u = used.entry(sender).or_insert(Used {
                count: 0,
                since: now,
            });
            if now.duration_since(u.since) >= window {
                *u = Used {
                    count: 0,
                    since: now,
                };
            }
            u.count = u.count.saturating_add(n);
        }
        Ok(())
    }
}

/// Anonymous writes stop while the data directory's file system has less than this free.
pub const MIN_FREE_BYTES: u64 = 256 * 1024 * 1024;

/// The guards of anonymous writes, for the life of the server.
pub struct Writes {
    pub budget: WriteBudget,
    /// The directory of the database, whose file system is watched.
    pub data_dir: PathBuf,
    pub min_free_bytes: u64,
}

impl Writes {
    /// Whether the data directory has room for anonymous writes. A file system that cannot be
    /// asked counts as having room: the database's own errors still stop a full disk.
    pub fn has_room(&self) -> bool {
        match rustix::fs::statvfs(&self.data_dir) {
            Ok(s) => s.f_bavail.saturating_mul(s.f_frsize) >= self.min_free_bytes,
            Err(e) => {
                tracing::warn!(error = %e, dir = %self.data_dir.display(), "free space unknown");
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget(per_device: u32, per_address: u32) -> WriteBudget {
        WriteBudget::new(WriteBudgetConfig {
            window: Duration::from_secs(60),
            per_device,
            per_address,
        })
    }

    #[test]
    fn a_device_and_an_address_each_have_a_budget() {
        let b = budget(10, 15);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        assert!(b.take(Some("d1"), Some(a), 10).is_ok());
        let wait = b.take(Some("d1"), Some(a), 1).unwrap_err();
        assert!(wait > Duration::from_secs(58), "{wait:?}");
        // A refused take costs nothing: another device still has the address's rest.
        assert!(b.take(Some("d2"), Some(a), 5).is_ok());
        assert!(
            b.take(Some("d3"), Some(a), 1).is_err(),
            "the address is used up"
        );
        assert!(b
            .take(Some("d3"), Some("10.0.0.2".parse().unwrap()), 1)
            .is_ok());
    }

    #[test]
    fn the_guard_measures_the_data_directory() {
        let dir = tempfile::tempdir().unwrap();
        let writes = |min_free_bytes| Writes {
            budget: budget(1, 1),
            data_dir: dir.path().to_owned(),
            min_free_bytes,
        };
        assert!(writes(0).has_room());
        assert!(!writes(u64::MAX).has_room());
    }

    #[test]
    fn more_than_a_budget_at_once_is_refused() {
        let b = budget(5, 100);
        assert!(b.take(Some("d"), None, 6).is_err());
        assert!(b.take(Some("d"), None, 5).is_ok());
    }
}
