//! Sign-in through the city's directory (LDAP / Active Directory), search-then-bind: the
//! service account finds the user, a bind with the typed password checks it, the groups give
//! the role (`lotsen_domain::directory`). A first login of a Lotse finds or creates the Lotse
//! profile; later logins refresh name, department, phone and e-mail from the directory as a
//! normal versioned write. Local accounts stay as they are, and a local account of the same
//! name wins.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use ldap3::{ldap_escape, Ldap, LdapConnAsync, LdapConnSettings, Scope, SearchEntry};
use lotsen_domain::directory::{lotse_data, role_of, DirectoryProfile, DirectoryRole};
use lotsen_domain::model::Collection;
use lotsen_domain::permission::Actor;
use lotsen_domain::protocol::{Mutation, MutationStatus};

use crate::actor::Caller;
use crate::store::{Account, Store, StoreError, StoreResult, Tx};
use crate::sync;

/// Where the directory is and how to read it (flags and `LOTSEN_LDAP_*`, see the README).
#[derive(Clone, Debug)]
pub struct DirectoryConfig {
    /// `ldap://host:389` or `ldaps://host:636`.
    pub url: String,
    /// Upgrade an `ldap://` connection with StartTLS.
    pub starttls: bool,
    /// The CA (PEM) that signed the directory's certificate; without it the system's CAs.
    pub ca_file: Option<PathBuf>,
    /// The service account that searches; without it the search is anonymous.
    pub bind_dn: Option<String>,
    pub bind_password: Option<String>,
    pub base_dn: String,
    /// `{username}` stands for the typed name, escaped (RFC 4515).
    pub user_filter: String,
    pub lotse_group: Option<String>,
    pub buero_group: Option<String>,
    pub attributes: Attributes,
    /// Each step (connect, bind, search) must answer within this (5 s).
    pub timeout: Duration,
}

/// The directory's attributes for the four fields of a Lotse profile.
#[derive(Clone, Debug)]
pub struct Attributes {
    pub name: String,
    pub department: String,
    pub phone: String,
    pub mail: String,
}

impl Default for Attributes {
    fn default() -> Self {
        Attributes {
            name: "displayName".into(),
            department: "department".into(),
            phone: "telephoneNumber".into(),
            mail: "mail".into(),
        }
    }
}

/// Active Directory's way to find a user by their Windows login name.
pub const AD_USER_FILTER: &str = "(&(objectClass=user)(sAMAccountName={username}))";

/// How deep nested groups are followed (a group in a group in a group …).
const MAX_GROUP_DEPTH: usize = 8;

/// What went wrong when asking the directory.
#[derive(Debug)]
pub enum DirectoryError {
    /// Unknown user or wrong password: the same to the caller.
    WrongCredentials,
    /// Down, too slow, misconfigured or refusing: logged, the caller hears that it is not
    /// possible right now.
    Unavailable(String),
}

impl std::fmt::Display for DirectoryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DirectoryError::WrongCredentials => f.write_str("unknown user or wrong password"),
            DirectoryError::Unavailable(reason) => f.write_str(reason),
        }
    }
}

impl From<ldap3::LdapError> for DirectoryError {
    fn from(e: ldap3::LdapError) -> Self {
        DirectoryError::Unavailable(e.to_string())
    }
}

/// A user the directory knows, with what it says about them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectoryUser {
    pub dn: String,
    /// Every group the user is in, nested ones included (DNs as the directory writes them).
    pub groups: Vec<String>,
    pub role: Option<DirectoryRole>,
    pub profile: DirectoryProfile,
}

/// The configured directory, ready to be asked.
pub struct Directory {
    config: DirectoryConfig,
    tls: Option<Arc<rustls::ClientConfig>>,
}

impl std::fmt::Debug for Directory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Directory")
            .field("url", &self.config.url)
            .field("base_dn", &self.config.base_dn)
            .finish_non_exhaustive()
    }
}

const INVALID_CREDENTIALS: u32 = 49;

impl Directory {
    /// Checks the configuration; an error is a German sentence for the operator, and the server
    /// does not start with it.
    pub fn new(config: DirectoryConfig) -> Result<Directory, String> {
        let url = config.url.trim();
        let tls_url = url.starts_with("ldaps://");
        if !(tls_url || url.starts_with("ldap://")) || url::Url::parse(url).is_err() {
            return Err(format!(
                "LOTSEN_LDAP_URL „{url}“ ist keine LDAP-Adresse (ldap://host:389 oder ldaps://host:636)."
            ));
        }
        if tls_url && config.starttls {
            return Err(
                "LOTSEN_LDAP_STARTTLS passt nicht zu ldaps:// (die Verbindung ist dort schon verschlüsselt)."
                    .into(),
            );
        }
        if config.base_dn.trim().is_empty() {
            return Err("LOTSEN_LDAP_BASE_DN fehlt: wo im Verzeichnis gesucht wird.".into());
        }
        if !config.user_filter.contains("{username}") {
            return Err("LOTSEN_LDAP_USER_FILTER muss {username} enthalten.".into());
        }
        if config.bind_dn.is_some() != config.bind_password.is_some() {
            return Err(
                "Für das Dienstkonto braucht es LOTSEN_LDAP_BIND_DN und ein Passwort (LOTSEN_LDAP_BIND_PASSWORD oder …_FILE)."
                    .into(),
            );
        }
        if config.lotse_group.is_none() && config.buero_group.is_none() {
            return Err(
                "Weder LOTSEN_LDAP_LOTSE_GROUP noch LOTSEN_LDAP_BUERO_GROUP ist gesetzt: niemand könnte sich anmelden."
                    .into(),
            );
        }
        let tls = match &config.ca_file {
            Some(path) => Some(Arc::new(crate::tls::client_config(
                crate::tls::roots_from_file(path, "LOTSEN_LDAP_CA_FILE")?,
            )?)),
            None => None,
        };
        Ok(Directory { config, tls })
    }

    pub fn config(&self) -> &DirectoryConfig {
        &self.config
    }

    /// Search-then-bind: the user with this name and password, with groups and role.
    /// An empty password never reaches a bind (it would be an anonymous bind that "succeeds").
    pub async fn login(
        &self,
        username: &str,
        password: &str,
    ) -> Result<DirectoryUser, DirectoryError> {
        if password.is_empty() || username.is_empty() {
            return Err(DirectoryError::WrongCredentials);
        }
        self.within_time(async {
            let mut ldap = self.connect().await?;
            let result = async {
                let Some(mut user) = self.find(&mut ldap, username).await? else {
                    return Err(DirectoryError::WrongCredentials);
                };
                let bound = ldap
                    .with_timeout(self.config.timeout)
                    .simple_bind(&user.dn, password)
                    .await?;
                match bound.rc {
                    0 => {}
                    INVALID_CREDENTIALS => return Err(DirectoryError::WrongCredentials),
                    rc => {
                        return Err(DirectoryError::Unavailable(format!(
                            "bind as the user: result {rc} {}",
                            bound.text
                        )))
                    }
                }
                // Groups are read as the service account again: users may not see them.
                self.bind_service(&mut ldap).await?;
                self.complete_groups(&mut ldap, &mut user).await?;
                Ok(user)
            }
            .await;
            let _ = ldap.unbind().await;
            result
        })
        .await
    }

    /// The user with this name as the directory sees them, without a password (for
    /// `lotsen-server ldap-check`). `None` when nobody (or more than one) matches.
    pub async fn lookup(&self, username: &str) -> Result<Option<DirectoryUser>, DirectoryError> {
        self.within_time(async {
            let mut ldap = self.connect().await?;
            let result = async {
                let Some(mut user) = self.find(&mut ldap, username).await? else {
                    return Ok(None);
                };
                self.complete_groups(&mut ldap, &mut user).await?;
                Ok(Some(user))
            }
            .await;
            let _ = ldap.unbind().await;
            result
        })
        .await
    }

    async fn within_time<T>(
        &self,
        work: impl std::future::Future<Output = Result<T, DirectoryError>>,
    ) -> Result<T, DirectoryError> {
        // Connect, bind, search and groups together: a login never hangs on the directory.
        let whole = self.config.timeout * 3;
        tokio::time::timeout(whole, work).await.unwrap_or_else(|_| {
            Err(DirectoryError::Unavailable(format!(
                "no answer within {whole:?}"
            )))
        })
    }

    /// A connection bound as the service account (or anonymous without one).
    async fn connect(&self) -> Result<Ldap, DirectoryError> {
        let mut settings = LdapConnSettings::new()
            .set_conn_timeout(self.config.timeout)
            .set_starttls(self.config.starttls);
        if let Some(tls) = &self.tls {
            settings = settings.set_config(tls.clone());
        }
        let (conn, mut ldap) =
            LdapConnAsync::with_settings(settings, self.config.url.trim()).await?;
        tokio::spawn(async move {
            if let Err(e) = conn.drive().await {
                tracing::debug!(error = %e, "directory connection ended");
            }
        });
        self.bind_service(&mut ldap).await?;
        Ok(ldap)
    }

    async fn bind_service(&self, ldap: &mut Ldap) -> Result<(), DirectoryError> {
        let (Some(dn), Some(password)) = (&self.config.bind_dn, &self.config.bind_password) else {
            return Ok(());
        };
        let result = ldap
            .with_timeout(self.config.timeout)
            .simple_bind(dn, password)
            .await?;
        if result.rc != 0 {
            return Err(DirectoryError::Unavailable(format!(
                "bind as the service account {dn}: result {} {}",
                result.rc, result.text
            )));
        }
        Ok(())
    }

    /// The one entry the user filter finds for `username`, with the profile attributes and
    /// the directly listed groups (`memberOf`, where the directory keeps it).
    async fn find(
        &self,
        ldap: &mut Ldap,
        username: &str,
    ) -> Result<Option<DirectoryUser>, DirectoryError> {
        let filter = self
            .config
            .user_filter
            .replace("{username}", &ldap_escape(username));
        let a = &self.config.attributes;
        let attrs = [
            a.name.as_str(),
            a.department.as_str(),
            a.phone.as_str(),
            a.mail.as_str(),
            "memberOf",
        ];
        let (entries, _) = ldap
            .with_timeout(self.config.timeout)
            .search(
                &self.config.base_dn,
                Scope::Subtree,
                &filter,
                attrs.to_vec(),
            )
            .await?
            .success()?;
        if entries.len() > 1 {
            tracing::warn!(
                matches = entries.len(),
                "the directory's user filter finds more than one entry for a login name; nobody is signed in"
            );
            return Ok(None);
        }
        let Some(entry) = entries.into_iter().next() else {
            return Ok(None);
        };
        let entry = SearchEntry::construct(entry);
        let first = |name: &str| {
            entry
                .attrs
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .and_then(|(_, v)| v.first().cloned())
                .unwrap_or_default()
        };
        let groups = entry
            .attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("memberOf"))
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        Ok(Some(DirectoryUser {
            profile: DirectoryProfile {
                name: first(&a.name),
                department: first(&a.department),
                phone: first(&a.phone),
                email: first(&a.mail),
            },
            dn: entry.dn,
            groups,
            role: None,
        }))
    }

    /// Adds the groups whose `member` is the user or one of their groups, level by level (so
    /// nested groups count, on any directory), and sets the role.
    async fn complete_groups(
        &self,
        ldap: &mut Ldap,
        user: &mut DirectoryUser,
    ) -> Result<(), DirectoryError> {
        let key = lotsen_domain::directory::dn_key;
        let mut seen: HashSet<String> = user.groups.iter().map(|g| key(g)).collect();
        let mut frontier: Vec<String> = std::iter::once(user.dn.clone())
            .chain(user.groups.iter().cloned())
            .collect();
        for _ in 0..MAX_GROUP_DEPTH {
            if frontier.is_empty() {
                break;
            }
            let filter = format!(
                "(|{})",
                frontier
                    .iter()
                    .map(|dn| format!("(member={})", ldap_escape(dn.as_str())))
                    .collect::<String>()
            );
            let (entries, _) = ldap
                .with_timeout(self.config.timeout)
                .search(&self.config.base_dn, Scope::Subtree, &filter, vec!["1.1"])
                .await?
                .success()?;
            frontier = entries
                .into_iter()
                .map(|e| SearchEntry::construct(e).dn)
                .filter(|dn| seen.insert(key(dn)))
                .collect();
            user.groups.extend(frontier.iter().cloned());
        }
        user.role = role_of(
            &user.groups,
            self.config.lotse_group.as_deref(),
            self.config.buero_group.as_deref(),
        );
        Ok(())
    }
}

/// What a directory login comes to on our side.
pub enum SignIn {
    /// The account as stored now (its Lotse link set).
    Account(Account),
    /// The Büro has locked this directory account here.
    Disabled,
}

/// Stores the directory user's account (role and Lotse link from the directory) and, for a
/// Lotse, finds or creates their profile: the one the account already points to, else the
/// one with the directory's e-mail address, else a new one. Changed name, department, phone
/// or e-mail are written as a new version of the profile, so every device pulls them.
pub fn sign_in(
    store: &Store,
    username: &str,
    role: DirectoryRole,
    profile: &DirectoryProfile,
) -> StoreResult<SignIn> {
    store.write(|tx| {
        let existing = tx.account(username)?;
        if existing.as_ref().is_some_and(|a| a.disabled) {
            return Ok(SignIn::Disabled);
        }
        let lotse = match role {
            DirectoryRole::Buero => None,
            DirectoryRole::Lotse => lotse_profile(
                tx,
                username,
                existing.as_ref().and_then(|a| a.lotse.as_deref()),
                profile,
            )?,
        };
        let account = Account {
            username: username.to_owned(),
            password_hash: String::new(),
            role: role.as_str().to_owned(),
            lotse,
            disabled: false,
            created_at: existing.map(|a| a.created_at).unwrap_or_else(sync::now_utc),
            directory: true,
        };
        tx.put_account(&account)?;
        Ok(SignIn::Account(account))
    })
}

/// The updated_by of profile writes that come from the directory.
pub const DIRECTORY_WRITER: &str = "verzeichnis";

fn lotse_profile(
    tx: &Tx,
    username: &str,
    linked: Option<&str>,
    profile: &DirectoryProfile,
) -> StoreResult<Option<String>> {
    let lotsen = Collection::Lotsen.as_str();
    let live = |id: &str| -> StoreResult<Option<crate::store::StoredRecord>> {
        Ok(tx.get(lotsen, id)?.filter(|r| !r.envelope.deleted))
    };
    let mut found = match linked {
        Some(id) => live(id)?,
        None => None,
    };
    let email = profile.email.trim();
    if found.is_none() && !email.is_empty() {
        found = tx.all(lotsen)?.into_iter().find(|r| {
            !r.envelope.deleted
                && r.envelope
                    .data
                    .get("email")
                    .and_then(serde_json::Value::as_str)
                    .is_some_and(|e| e.trim().eq_ignore_ascii_case(email))
        });
    }
    let id = match &found {
        Some(r) => r.envelope.id.clone(),
        None => new_uuid()?,
    };
    let Some(data) = lotse_data(found.as_ref().map(|r| &r.envelope.data), profile, username) else {
        return Ok(Some(id));
    };
    let mutation = Mutation {
        mutation_id: new_uuid()?,
        collection: lotsen.to_owned(),
        id: id.clone(),
        base_version: found.as_ref().map_or(0, |r| r.envelope.version),
        deleted: false,
        data,
    };
    let caller = Caller::acting_as(Actor::Buero {
        username: DIRECTORY_WRITER.into(),
    });
    let result = sync::push(tx, &caller, &[mutation], &sync::now_utc())?
        .into_iter()
        .next()
        .ok_or_else(|| StoreError::new("a push without a result"))?;
    if result.status == MutationStatus::Applied {
        return Ok(Some(id));
    }
    // The profile stays as it was; the login goes on (a Lotse without a linked profile can
    // still work, and the Büro can link one).
    tracing::warn!(username, status = ?result.status, error = ?result.error, "the directory's profile data was not taken");
    Ok(found.map(|r| r.envelope.id))
}

/// A random (version 4) UUID.
pub fn new_uuid() -> StoreResult<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::new(format!("no randomness: {e}")))?;
    Ok(uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .to_string())
}
