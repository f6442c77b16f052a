//! Logins (SPEC §7 `/api/v1/session`, §8): Argon2id password hashes, session cookies with idle
//! and absolute timeouts, and throttling of failed logins per account and per client address.
//!
//! The cookie carries a random 256-bit token; the database keeps only its SHA-256, so a copy of
//! the database (a backup) cannot be used to take over a session.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::http::{header, HeaderMap, HeaderValue};
use lotsen_domain::permission::Actor;
use sha2::{Digest, Sha256};

use crate::store::{Account, SessionRow, Store, StoreError, StoreResult};

pub const COOKIE_NAME: &str = "lotsen_session";
/// Passwords longer than this are refused before hashing (they only cost CPU).
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Session and login settings. `Default` is what production uses.
#[derive(Clone, Debug)]
pub struct AuthConfig {
    /// A session unused this long ends (8 hours).
    pub idle_timeout: Duration,
    /// A session ends this long after login, used or not (7 days).
    pub absolute_timeout: Duration,
    /// The last use of a session is written at most this often (1 minute), to spare writes;
    /// the idle timeout is therefore exact only to this much.
    pub touch_interval: Duration,
    /// Mark the cookie `Secure` (only sent over HTTPS). Off by default so that plain
    /// `http://127.0.0.1` works; turn it on behind TLS.
    pub secure_cookies: bool,
    pub throttle: ThrottleConfig,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            idle_timeout: Duration::from_secs(8 * 60 * 60),
            absolute_timeout: Duration::from_secs(7 * 24 * 60 * 60),
            touch_interval: Duration::from_secs(60),
            secure_cookies: false,
            throttle: ThrottleConfig::default(),
        }
    }
}

/// Failed logins allowed within `window` before further attempts are answered with 429.
#[derive(Clone, Debug)]
pub struct ThrottleConfig {
    pub window: Duration,
    /// Per username (whether the account exists or not).
    pub max_per_account: usize,
    /// Per client address. Higher than per account: colleagues behind one NAT share it.
    pub max_per_address: usize,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        ThrottleConfig {
            window: Duration::from_secs(15 * 60),
            max_per_account: 5,
            max_per_address: 20,
        }
    }
}

/// Everything about logins that lives for the life of the server.
pub struct Auth {
    pub config: AuthConfig,
    pub throttle: Throttle,
    /// Argon2 is deliberately expensive (19 MiB, a few ms of CPU); at most this many run at
    /// once, so a flood of logins queues instead of eating all memory.
    pub hashing: std::sync::Arc<tokio::sync::Semaphore>,
}

impl Auth {
    pub fn new(config: AuthConfig) -> Auth {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Auth {
            throttle: Throttle::new(config.throttle.clone()),
            config,
            hashing: std::sync::Arc::new(tokio::sync::Semaphore::new(cores)),
        }
    }

    /// The `Set-Cookie` value for a new session.
    pub fn session_cookie(&self, token: &str) -> HeaderValue {
        let max_age = self.config.absolute_timeout.as_secs();
        let secure = if self.config.secure_cookies {
            "; Secure"
        } else {
            ""
        };
        cookie_value(format!(
            "{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
        ))
    }

    /// The `Set-Cookie` value that makes the browser forget the session cookie.
    pub fn clear_cookie(&self) -> HeaderValue {
        let secure = if self.config.secure_cookies {
            "; Secure"
        } else {
            ""
        };
        cookie_value(format!(
            "{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}"
        ))
    }

    /// Whether a stored session is still valid at `now_ms`.
    pub fn is_live(&self, s: &SessionRow, now_ms: i64) -> bool {
        !s.account.disabled
            && now_ms - s.seen_ms < millis(self.config.idle_timeout)
            && now_ms - s.created_ms < millis(self.config.absolute_timeout)
    }

    /// Looks up the session of `token_hash`: the caller's actor if it is valid. An expired
    /// session is deleted; a valid one gets its last use recorded (at most once per
    /// `touch_interval`).
    pub fn resolve(&self, store: &Store, token_hash: &str) -> StoreResult<Option<Actor>> {
        let now = now_ms();
        let Some(s) = store.read(|tx| tx.session(token_hash))? else {
            return Ok(None);
        };
        if !self.is_live(&s, now) {
            store.write(|tx| tx.delete_session(token_hash))?;
            return Ok(None);
        }
        if now - s.seen_ms >= millis(self.config.touch_interval) {
            store.write(|tx| tx.touch_session(token_hash, now))?;
        }
        Ok(Some(actor_of(&s.account)))
    }

    /// Starts a session for `username`; returns the cookie token. Expired sessions of
    /// everyone are swept on the way, so the table does not grow without bound.
    pub fn start_session(&self, store: &Store, username: &str) -> StoreResult<String> {
        let token = new_token()?;
        let hash = hash_token(&token);
        let now = now_ms();
        store.write(|tx| {
            tx.purge_sessions(
                now - millis(self.config.idle_timeout),
                now - millis(self.config.absolute_timeout),
            )?;
            tx.insert_session(&hash, username, now)
        })?;
        Ok(token)
    }
}

fn cookie_value(s: String) -> HeaderValue {
    // Only ASCII from us and a hex token: always a valid header value.
    HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The domain actor of a logged-in account.
pub fn actor_of(account: &Account) -> Actor {
    if account.role == "buero" {
        Actor::Buero {
            username: account.username.clone(),
        }
    } else {
        Actor::Lotse {
            username: account.username.clone(),
            lotse: account.lotse.clone(),
        }
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

pub fn now_ms() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    millis(since)
}

/// A fresh random 256-bit token, hex encoded.
pub fn new_token() -> StoreResult<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| StoreError(format!("no randomness: {e}")))?;
    Ok(hex::encode(bytes))
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The session token of the request's cookie, if one of the right shape was sent.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.trim())
        .find(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_owned)
}

/// Argon2id hash (PHC string) of a password with a fresh random salt.
pub fn hash_password(password: &str) -> StoreResult<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| StoreError(format!("no randomness: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| StoreError(format!("salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError(format!("argon2: {e}")))
}

/// Whether `password` matches the PHC string `hash`; `None` verifies against a fixed dummy
/// hash and fails, taking as long as a real check (no telling unknown users by time).
pub fn verify_password(hash: Option<&str>, password: &str) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| {
        hash_password("kein-echtes-passwort-nur-fuer-die-zeit").unwrap_or_default()
    });
    let (phc, real) = match hash {
        Some(h) => (h, true),
        None => (dummy.as_str(), false),
    };
    let ok = PasswordHash::new(phc).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    });
    ok && real
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum ThrottleKey {
    Account(String),
    Address(IpAddr),
}

/// Failed logins of the last window, in memory (a restart forgets them, which is fine for a
/// limit measured in minutes).
pub struct Throttle {
    config: ThrottleConfig,
    failures: Mutex<HashMap<ThrottleKey, VecDeque<Instant>>>,
}

/// Above this many keys, stale ones are swept on the next failure.
const SWEEP_ABOVE: usize = 10_000;

impl Throttle {
    pub fn new(config: ThrottleConfig) -> Throttle {
        Throttle {
            config,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn keys(username: &str, addr: Option<IpAddr>) -> Vec<(ThrottleKey, bool)> {
        let mut keys = vec![(ThrottleKey::Account(username.to_owned()), true)];
        if let Some(a) = addr {
            keys.push((ThrottleKey::Address(a), false));
        }
        keys
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ThrottleKey, VecDeque<Instant>>> {
        self.failures.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `Err(wait)` if the account or the address has used up its failures for now.
    pub fn check(&self, username: &str, addr: Option<IpAddr>) -> Result<(), Duration> {
        let now = Instant::now();
        let window = self.config.window;
        let mut map = self.lock();
        let mut wait = Duration::ZERO;
        for (key, is_account) in Self::keys(username, addr) {
            let max = if is_account {
                self.config.max_per_account
            } else {
                self.config.max_per_address
            };
            let Some(times) = map.get_mut(&key) else {
                continue;
            };
            while times
                .front()
                .is_some_and(|t| now.duration_since(*t) >= window)
            {
                times.pop_front();
            }
            if times.len() >= max {
                // Free again once enough of the failures have left the window.
                let oldest_to_expire = times[times.len() - max];
                wait = wait.max(window.saturating_sub(now.duration_since(oldest_to_expire)));
            }
        }
        if wait.is_zero() {
            Ok(())
        } else {
            Err(wait)
        }
    }

    pub fn record_failure(&self, username: &str, addr: Option<IpAddr>) {
        let now = Instant::now();
        let window = self.config.window;
        let mut map = self.lock();
        if map.len() > SWEEP_ABOVE {
            map.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < window)
            });
        }
        for (key, _) in Self::keys(username, addr) {
            let times = map.entry(key).or_default();
            times.push_back(now);
            // More than the larger limit is never needed to decide.
            let keep = self
                .config
                .max_per_account
                .max(self.config.max_per_address)
                .max(1);
            while times.len() > keep {
                times.pop_front();
            }
        }
    }

    /// A successful login clears the account's failures (not the address's: one valid
    /// account must not reset the guessing budget of a whole address).
    pub fn record_success(&self, username: &str) {
        self.lock()
            .remove(&ThrottleKey::Account(username.to_owned()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_token_is_found_among_others() {
        let mut h = HeaderMap::new();
        let t = "ab".repeat(32);
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("x=1; {COOKIE_NAME}=zz; {COOKIE_NAME}={t}")).unwrap(),
        );
        assert_eq!(session_token(&h), Some(t));
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("lotsen_session=short"),
        );
        assert_eq!(session_token(&h), None);
    }

    #[test]
    fn passwords_verify_and_unknown_users_fail() {
        let h = hash_password("richtig-geheim").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(Some(&h), "richtig-geheim"));
        assert!(!verify_password(Some(&h), "falsch-geheim"));
        assert!(!verify_password(
            None,
            "kein-echtes-passwort-nur-fuer-die-zeit"
        ));
        assert!(!verify_password(Some("kaputt"), "x"));
    }

    #[test]
    fn throttle_counts_per_account_and_address() {
        let t = Throttle::new(ThrottleConfig {
            window: Duration::from_secs(60),
            max_per_account: 2,
            max_per_address: 3,
        });
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        t.record_failure("u", Some(a));
        assert!(t.check("u", Some(a)).is_ok());
        t.record_failure("u", Some(a));
        let wait = t.check("u", Some(b)).unwrap_err();
        assert!(wait > Duration::from_secs(58) && wait <= Duration::from_secs(60));
        assert!(t.check("v", Some(b)).is_ok());
        t.record_failure("v", Some(a));
        assert!(t.check("w", Some(a)).is_err(), "address used up");
        assert!(t.check("w", Some(b)).is_ok());
        t.record_success("u");
        assert!(t.check("u", Some(b)).is_ok());
    }
}
