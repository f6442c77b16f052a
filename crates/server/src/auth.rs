//! Logins (SPEC §7 `/api/v1/session`, §8): Argon2id password hashes, session cookies with idle
//! and absolute timeouts, and throttling of failed logins per account and per client address.
//!
//! The cookie carries a random 256-bit token; the database keeps only its SHA-256, so a copy of
//! the database (a backup) cannot be used to take over a session.

use std::net::IpAddr;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::http::{header, HeaderMap, HeaderValue};
use lotsen_domain::permission::Actor;
use lotsen_domain::protocol::SessionUser;
use sha2::{Digest, Sha256};

use crate::store::{Account, SessionRow, Store, StoreError, StoreResult, Tx};

pub const COOKIE_NAME: &str = "lotsen_session";
/// Passwords longer than this are refused before hashing (they only cost CPU).
pub use lotsen_domain::protocol::MAX_PASSWORD_BYTES;

/// What a login attempt came to.
pub enum LoginOutcome {
    /// The user and the new session's cookie token.
    Ok(SessionUser, String),
    Wrong,
    Disabled,
    /// The directory knows the person, but they are in neither the Lotsen nor the Büro group.
    NotAMember,
    /// The directory could not be asked (down, too slow, refusing); the reason is for the log.
    DirectoryUnavailable(String),
}

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

/// How failed logins slow down further attempts (see [`Throttle`]). After its free failures,
/// a counter makes the next attempt wait `first_delay`, then twice as long after each further
/// failure, up to `max_delay`.
#[derive(Clone, Debug)]
pub struct ThrottleConfig {
    /// Failures of one account from one address before delays begin.
    pub free_per_pair: u32,
    /// Failures of one account from addresses it never logged in from.
    pub free_per_account: u32,
    /// Failures from one address for accounts that never logged in from it. Higher: behind
    /// the city's proxy every colleague shares an address.
    pub free_per_address: u32,
    pub first_delay: Duration,
    pub max_delay: Duration,
    /// A counter whose last failure is this old starts again from zero.
    pub forget_after: Duration,
    /// A successful login makes its address known for the account this long.
    pub known_for: Duration,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        ThrottleConfig {
            free_per_pair: 3,
            free_per_account: 10,
            free_per_address: 30,
            first_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(15 * 60),
            forget_after: Duration::from_secs(60 * 60),
            known_for: Duration::from_secs(90 * 24 * 60 * 60),
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

    /// Checks `password` for `username` (Argon2id; an unknown user is checked against a dummy
    /// hash, so both failures look and take alike) and, if right, starts a session that
    /// replaces the browser's `old_session`. Blocking: run it off the async threads, with a
    /// permit of [`Auth::hashing`]. Throttling is the caller's, before and after.
    pub fn login(
        &self,
        store: &Store,
        username: &str,
        password: &str,
        old_session: Option<&str>,
    ) -> StoreResult<LoginOutcome> {
        // A directory account has no password here: it is checked like an unknown user.
        let account = if username.len() <= 64 {
            store
                .read(|tx| tx.account(username))?
                .filter(|a| !a.directory)
        } else {
            None
        };
        let password_ok = password.len() <= MAX_PASSWORD_BYTES
            && verify_password(account.as_ref().map(|a| a.password_hash.as_str()), password);
        let Some(account) = account.filter(|_| password_ok) else {
            return Ok(LoginOutcome::Wrong);
        };
        if account.disabled {
            return Ok(LoginOutcome::Disabled);
        }
        self.open_session(store, &account, old_session)
    }

    /// Starts the session of a checked login that replaces the browser's `old_session`.
    pub fn open_session(
        &self,
        store: &Store,
        account: &Account,
        old_session: Option<&str>,
    ) -> StoreResult<LoginOutcome> {
        if let Some(old) = old_session {
            // A new login replaces whatever session this browser had.
            store.write(|tx| tx.delete_session(old))?;
        }
        let token = self.start_session(store, &account.username)?;
        let user = SessionUser::of_actor(&actor_of(account))
            .ok_or_else(|| StoreError::new("an account without a role"))?;
        Ok(LoginOutcome::Ok(user, token))
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
    getrandom::fill(&mut bytes).map_err(|e| StoreError::new(format!("no randomness: {e}")))?;
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
    getrandom::fill(&mut salt).map_err(|e| StoreError::new(format!("no randomness: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| StoreError::new(format!("salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::new(format!("argon2: {e}")))
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

/// What one login attempt is counted under, as the key of its counter in the database.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum ThrottleKey {
    /// One account from one address: the plain guessing of one password.
    Pair(String, Option<IpAddr>),
    /// One account from everywhere: guessing spread over many addresses.
    Account(String),
    /// One address for every account: one password tried on many accounts (spraying).
    Address(IpAddr),
    /// Every failure of an account, not forgiven by a success: what the Büro is shown.
    Reported(String),
    /// The last successful login of an account from an address (`count` unused).
    Known(String, IpAddr),
}

impl ThrottleKey {
    fn key(&self) -> String {
        // A tab cannot be part of a login name (they are trimmed, and the form has one line).
        match self {
            ThrottleKey::Pair(user, Some(a)) => format!("pair:{user}\t{a}"),
            ThrottleKey::Pair(user, None) => format!("pair:{user}\t-"),
            ThrottleKey::Account(user) => format!("account:{user}"),
            ThrottleKey::Address(a) => format!("address:{a}"),
            ThrottleKey::Reported(user) => format!("reported:{user}"),
            ThrottleKey::Known(user, a) => format!("known:{user}\t{a}"),
        }
    }
}

/// Failures under one key: how many, and when the last one was (Unix ms).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Failures {
    pub count: u32,
    pub last_ms: i64,
}

/// Where the counters live: the database (shared by every server process; [`Tx`]), or a map
/// in the tests of the rules.
pub trait ThrottleBook {
    fn entry(&self, key: &str) -> StoreResult<Option<Failures>>;
    fn set(&self, key: &str, failures: Failures) -> StoreResult<()>;
    fn remove(&self, key: &str) -> StoreResult<()>;
}

impl ThrottleBook for Tx<'_> {
    fn entry(&self, key: &str) -> StoreResult<Option<Failures>> {
        Ok(self
            .throttle_entry(key)?
            .map(|(count, last_ms)| Failures { count, last_ms }))
    }
    fn set(&self, key: &str, f: Failures) -> StoreResult<()> {
        self.set_throttle_entry(key, f.count, f.last_ms)
    }
    fn remove(&self, key: &str) -> StoreResult<()> {
        self.delete_throttle_entry(key)
    }
}

/// Failed logins slow down the source of the failures, never lock anybody out (OWASP ASVS
/// 4.0 V2.2.1: anti-automation that does not let an attacker lock accounts, at most 100
/// failures per account and hour; BSI IT-Grundschutz APP.3.1.A1: failed logins limited).
/// Three counters, each with growing delays once its free failures are used up:
///
/// - account and address together: the same colleague typing wrong, or one attacker;
/// - the account from all addresses and the address for all accounts: distributed guessing
///   and password spraying. These two do not apply where the account has logged in
///   successfully before (a *known* address), so a colleague at their own desk is never held
///   up by wrong passwords typed elsewhere — and behind the city's proxy, where every
///   colleague shares one address, a spraying attack slows new combinations only.
///
/// The counters are kept in the database (migration 7): every server process behind a load
/// balancer sees the same ones, and a restart does not forgive them.
pub struct Throttle {
    config: ThrottleConfig,
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl Throttle {
    pub fn new(config: ThrottleConfig) -> Throttle {
        Throttle { config }
    }

    /// The keys an attempt counts under, with the failures each allows before delays begin.
    fn keys(
        &self,
        book: &impl ThrottleBook,
        username: &str,
        addr: Option<IpAddr>,
        now_ms: i64,
    ) -> StoreResult<Vec<(ThrottleKey, u32)>> {
        let c = &self.config;
        let mut keys = vec![(
            ThrottleKey::Pair(username.to_owned(), addr),
            c.free_per_pair,
        )];
        let known = match addr {
            Some(a) => book
                .entry(&ThrottleKey::Known(username.to_owned(), a).key())?
                .is_some_and(|k| now_ms.saturating_sub(k.last_ms) < ms(c.known_for)),
            None => false,
        };
        if !known {
            keys.push((
                ThrottleKey::Account(username.to_owned()),
                c.free_per_account,
            ));
            if let Some(a) = addr {
                keys.push((ThrottleKey::Address(a), c.free_per_address));
            }
        }
        Ok(keys)
    }

    /// How long after its last failure a key with `count` failures lets the next attempt in.
    fn delay(&self, count: u32, free: u32) -> Duration {
        if count < free {
            return Duration::ZERO;
        }
        let doublings = (count - free).min(30);
        self.config
            .first_delay
            .saturating_mul(1 << doublings)
            .min(self.config.max_delay)
    }

    /// Whether a failure is old enough to be forgotten.
    fn forgotten(&self, f: &Failures, now_ms: i64) -> bool {
        now_ms.saturating_sub(f.last_ms) >= ms(self.config.forget_after)
    }

    /// `Err(wait)` while a failure of this account or address is too recent to try again.
    pub fn check(
        &self,
        book: &impl ThrottleBook,
        username: &str,
        addr: Option<IpAddr>,
        now_ms: i64,
    ) -> StoreResult<Result<(), Duration>> {
        let mut wait = 0i64;
        for (key, free) in self.keys(book, username, addr, now_ms)? {
            let Some(f) = book.entry(&key.key())? else {
                continue;
            };
            if self.forgotten(&f, now_ms) {
                continue;
            }
            let ready = f.last_ms.saturating_add(ms(self.delay(f.count, free)));
            wait = wait.max(ready.saturating_sub(now_ms));
        }
        Ok(if wait <= 0 {
            Ok(())
        } else {
            Err(Duration::from_millis(u64::try_from(wait).unwrap_or(0)))
        })
    }

    /// Counts a failure; returns whether it made a counter start delaying (worth a warning in
    /// the log: someone may be guessing).
    pub fn record_failure(
        &self,
        book: &impl ThrottleBook,
        username: &str,
        addr: Option<IpAddr>,
        now_ms: i64,
    ) -> StoreResult<bool> {
        let mut started = false;
        let mut keys = self.keys(book, username, addr, now_ms)?;
        keys.push((ThrottleKey::Reported(username.to_owned()), u32::MAX));
        for (key, free) in keys {
            let key = key.key();
            let count = match book.entry(&key)? {
                Some(f) if !self.forgotten(&f, now_ms) => f.count.saturating_add(1),
                _ => 1,
            };
            book.set(
                &key,
                Failures {
                    count,
                    last_ms: now_ms,
                },
            )?;
            started |= count == free;
        }
        Ok(started)
    }

    /// A correct password: the account's failures are forgiven and the address becomes known
    /// for it. The address's own count stays (one valid login must not reset the guessing
    /// budget of a whole address).
    pub fn record_success(
        &self,
        book: &impl ThrottleBook,
        username: &str,
        addr: Option<IpAddr>,
        now_ms: i64,
    ) -> StoreResult<()> {
        book.remove(&ThrottleKey::Pair(username.to_owned(), addr).key())?;
        book.remove(&ThrottleKey::Account(username.to_owned()).key())?;
        if let Some(a) = addr {
            book.set(
                &ThrottleKey::Known(username.to_owned(), a).key(),
                Failures {
                    count: 0,
                    last_ms: now_ms,
                },
            )?;
        }
        Ok(())
    }

    /// Failed logins of `username` from anywhere within the last `forget_after` (an hour),
    /// successes notwithstanding: for the Projektbüro's list of accounts.
    pub fn failures_of(
        &self,
        book: &impl ThrottleBook,
        username: &str,
        now_ms: i64,
    ) -> StoreResult<u32> {
        Ok(book
            .entry(&ThrottleKey::Reported(username.to_owned()).key())?
            .filter(|f| !self.forgotten(f, now_ms))
            .map_or(0, |f| f.count))
    }

    /// Forgets what no longer matters: failures after `forget_after`, known addresses after
    /// `known_for`.
    fn sweep(&self, tx: &Tx, now_ms: i64) -> StoreResult<()> {
        tx.sweep_throttle(
            now_ms.saturating_sub(ms(self.config.forget_after)),
            now_ms.saturating_sub(ms(self.config.known_for)),
        )?;
        Ok(())
    }

    /// [`Throttle::check`] against the database.
    pub fn check_in(
        &self,
        store: &Store,
        username: &str,
        addr: Option<IpAddr>,
    ) -> StoreResult<Result<(), Duration>> {
        store.read(|tx| self.check(tx, username, addr, now_ms()))
    }

    /// [`Throttle::record_failure`] in the database, sweeping what no longer matters.
    pub fn record_failure_in(
        &self,
        store: &Store,
        username: &str,
        addr: Option<IpAddr>,
    ) -> StoreResult<bool> {
        store.write(|tx| {
            let now = now_ms();
            self.sweep(tx, now)?;
            self.record_failure(tx, username, addr, now)
        })
    }

    /// [`Throttle::record_success`] in the database.
    pub fn record_success_in(
        &self,
        store: &Store,
        username: &str,
        addr: Option<IpAddr>,
    ) -> StoreResult<()> {
        store.write(|tx| {
            let now = now_ms();
            self.sweep(tx, now)?;
            self.record_success(tx, username, addr, now)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

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

    fn throttle() -> T {
        T(
            Throttle::new(ThrottleConfig {
                free_per_pair: 2,
                free_per_account: 4,
                free_per_address: 6,
                first_delay: Duration::from_secs(10),
                max_delay: Duration::from_secs(100),
                forget_after: Duration::from_secs(3600),
                known_for: Duration::from_secs(3600),
            }),
            Book::default(),
            1_000_000_000,
        )
    }

    /// The counters in memory, with a clock that moves only when told.
    #[derive(Default)]
    struct Book(std::cell::RefCell<HashMap<String, Failures>>);

    impl ThrottleBook for Book {
        fn entry(&self, key: &str) -> StoreResult<Option<Failures>> {
            Ok(self.0.borrow().get(key).copied())
        }
        fn set(&self, key: &str, f: Failures) -> StoreResult<()> {
            self.0.borrow_mut().insert(key.to_owned(), f);
            Ok(())
        }
        fn remove(&self, key: &str) -> StoreResult<()> {
            self.0.borrow_mut().remove(key);
            Ok(())
        }
    }

    /// A throttle over a [`Book`] at a fixed time, with the old method shapes.
    struct T(Throttle, Book, i64);

    impl T {
        fn check(&self, u: &str, a: Option<IpAddr>) -> Result<(), Duration> {
            self.0.check(&self.1, u, a, self.2).unwrap()
        }
        fn record_failure(&self, u: &str, a: Option<IpAddr>) -> bool {
            self.0.record_failure(&self.1, u, a, self.2).unwrap()
        }
        fn record_success(&self, u: &str, a: Option<IpAddr>) {
            self.0.record_success(&self.1, u, a, self.2).unwrap()
        }
        fn failures_of(&self, u: &str) -> u32 {
            self.0.failures_of(&self.1, u, self.2).unwrap()
        }
        fn delay(&self, count: u32, free: u32) -> Duration {
            self.0.delay(count, free)
        }
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn delays_grow_and_stop_growing() {
        let t = throttle();
        let d: Vec<Duration> = (0..8).map(|n| t.delay(n, 2)).collect();
        let s = Duration::from_secs;
        assert_eq!(d, [s(0), s(0), s(10), s(20), s(40), s(80), s(100), s(100)]);
        assert_eq!(t.delay(u32::MAX, 2), s(100));
    }

    #[test]
    fn failures_slow_down_their_source_not_the_colleague() {
        let t = throttle();
        let (desk, attacker) = (ip("10.0.0.1"), ip("10.0.0.66"));
        t.record_success("eva", desk);
        // Someone else guesses Eva's password.
        for _ in 0..2 {
            assert!(t.check("eva", attacker).is_ok());
            t.record_failure("eva", attacker);
        }
        let wait = t.check("eva", attacker).unwrap_err();
        assert!(wait > Duration::from_secs(9), "{wait:?}");
        // Eva at her own desk is not held up.
        assert!(t.check("eva", desk).is_ok());
        // From yet another address, the account-wide counter holds once it is used up.
        t.record_failure("eva", ip("10.0.0.67"));
        t.record_failure("eva", ip("10.0.0.68"));
        assert!(t.check("eva", ip("10.0.0.69")).is_err());
        assert!(t.check("eva", desk).is_ok());
        // The Büro sees every one of them, also after Eva's next login.
        t.record_success("eva", desk);
        assert_eq!(t.failures_of("eva"), 4);
    }

    #[test]
    fn spraying_from_one_address_slows_unknown_accounts_only() {
        let t = throttle();
        let proxy = ip("10.1.1.1");
        t.record_success("bert", proxy);
        for name in ["a1", "a2", "a3", "a4", "a5", "a6"] {
            t.record_failure(name, proxy);
        }
        assert!(t.check("neu", proxy).is_err(), "spraying slows new names");
        assert!(
            t.check("bert", proxy).is_ok(),
            "a colleague known there is not held up"
        );
        assert!(t.check("neu", ip("10.1.1.2")).is_ok());
    }

    #[test]
    fn a_success_forgives_the_accounts_failures() {
        let t = throttle();
        let a = ip("10.0.0.1");
        t.record_failure("u", a);
        t.record_failure("u", a);
        assert!(t.check("u", a).is_err());
        t.record_success("u", a);
        assert!(t.check("u", a).is_ok());
        assert_eq!(t.failures_of("u"), 2, "still shown to the Büro");
    }

    #[test]
    fn failures_are_forgotten_after_an_hour_and_waits_run_out() {
        let mut t = throttle();
        let a = ip("10.0.0.9");
        for _ in 0..3 {
            t.record_failure("u", a);
        }
        let wait = t.check("u", a).unwrap_err();
        assert_eq!(wait, Duration::from_secs(20));
        t.2 += 20_000;
        assert!(t.check("u", a).is_ok(), "the wait has passed");
        assert!(
            t.record_failure("u", a),
            "the account's counter starts at its fourth"
        );
        assert_eq!(t.check("u", a).unwrap_err(), Duration::from_secs(40));
        t.2 += 3_600_000;
        assert!(t.check("u", a).is_ok());
        assert_eq!(t.failures_of("u"), 0);
        t.record_failure("u", a);
        assert!(t.check("u", a).is_ok(), "counting starts again from one");
    }
}
