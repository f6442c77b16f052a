//! Command line of the Lotsenfinder server: `serve` plus the operator commands of SPEC §8.

use std::io::{BufRead, IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::builder::BoolishValueParser;
use clap::{Args, Parser, Subcommand, ValueEnum};
use lotsen_server::accounts::{self, AccountChange, NewAccount};
use lotsen_server::store::PgAccess;
use lotsen_server::{city, directory, ops, AuthConfig, Config, Store};

#[derive(Parser)]
#[command(
    name = "lotsen-server",
    version,
    about = "Lotsenfinder server (Stadt Soest)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct DataDir {
    /// Directory of the SQLite database (and, on PostgreSQL too, of mails written without a
    /// relay).
    #[arg(long, env = "LOTSEN_DATA_DIR", default_value = "./data")]
    data_dir: PathBuf,
    /// PostgreSQL instead of SQLite: postgres://user:pass@host:5432/lotsen. Several server
    /// processes may share one database.
    #[arg(long, env = "LOTSEN_DATABASE_URL")]
    database_url: Option<String>,
    /// A file holding the PostgreSQL password (a secret mounted by the service manager); it
    /// replaces one in the URL.
    #[arg(long, env = "LOTSEN_DATABASE_PASSWORD_FILE")]
    database_password_file: Option<PathBuf>,
    /// The CA (PEM) that signed the PostgreSQL server's certificate; without it, the system's
    /// CAs. TLS as the URL's sslmode says (prefer by default; require to insist).
    #[arg(long, env = "LOTSEN_DATABASE_CA_FILE")]
    database_ca_file: Option<PathBuf>,
}

impl DataDir {
    fn password(&self) -> Result<Option<String>, lotsen_server::BoxError> {
        let Some(file) = &self.database_password_file else {
            return Ok(None);
        };
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("{} nicht lesbar: {e}", file.display()))?;
        Ok(Some(text.trim_end_matches(['\r', '\n']).to_owned()))
    }

    fn access(&self) -> Result<PgAccess, lotsen_server::BoxError> {
        Ok(PgAccess {
            password: self.password()?,
            ca_file: self.database_ca_file.clone(),
        })
    }

    /// The configured database: PostgreSQL with `--database-url`, else SQLite.
    fn open(&self) -> Result<Store, lotsen_server::BoxError> {
        Ok(Store::open_configured(
            self.database_url.as_deref(),
            &self.access()?,
            &self.data_dir,
        )?)
    }
}

/// Sign-in through the city's directory (LDAP / Active Directory); all optional, nothing
/// changes without `--ldap-url`.
#[derive(Args)]
struct LdapArgs {
    /// The directory: ldap://host:389 or ldaps://host:636.
    #[arg(long, env = "LOTSEN_LDAP_URL")]
    ldap_url: Option<String>,
    /// Upgrade ldap:// with StartTLS.
    #[arg(long, env = "LOTSEN_LDAP_STARTTLS", value_parser = BoolishValueParser::new(), default_value_t = false, num_args = 0..=1, default_missing_value = "true")]
    ldap_starttls: bool,
    /// The CA certificate (PEM) that signed the directory's certificate.
    #[arg(long, env = "LOTSEN_LDAP_CA_FILE")]
    ldap_ca_file: Option<PathBuf>,
    /// The service account that searches for users.
    #[arg(long, env = "LOTSEN_LDAP_BIND_DN")]
    ldap_bind_dn: Option<String>,
    /// Its password (better: --ldap-bind-password-file).
    #[arg(long, env = "LOTSEN_LDAP_BIND_PASSWORD", hide_env_values = true)]
    ldap_bind_password: Option<String>,
    /// A file whose first line is the service account's password.
    #[arg(
        long,
        env = "LOTSEN_LDAP_BIND_PASSWORD_FILE",
        conflicts_with = "ldap_bind_password"
    )]
    ldap_bind_password_file: Option<PathBuf>,
    /// Where users and groups are searched.
    #[arg(long, env = "LOTSEN_LDAP_BASE_DN")]
    ldap_base_dn: Option<String>,
    /// How a user is found; {username} is the typed login name.
    #[arg(long, env = "LOTSEN_LDAP_USER_FILTER", default_value = directory::AD_USER_FILTER)]
    ldap_user_filter: String,
    /// The group (DN) of the Digitale Lotsen.
    #[arg(long, env = "LOTSEN_LDAP_LOTSE_GROUP")]
    ldap_lotse_group: Option<String>,
    /// The group (DN) of the Projektbüro.
    #[arg(long, env = "LOTSEN_LDAP_BUERO_GROUP")]
    ldap_buero_group: Option<String>,
    /// The attribute with the person's name.
    #[arg(long, env = "LOTSEN_LDAP_NAME_ATTR", default_value = "displayName")]
    ldap_name_attr: String,
    /// The attribute with the department.
    #[arg(
        long,
        env = "LOTSEN_LDAP_DEPARTMENT_ATTR",
        default_value = "department"
    )]
    ldap_department_attr: String,
    /// The attribute with the phone number.
    #[arg(
        long,
        env = "LOTSEN_LDAP_PHONE_ATTR",
        default_value = "telephoneNumber"
    )]
    ldap_phone_attr: String,
    /// The attribute with the e-mail address.
    #[arg(long, env = "LOTSEN_LDAP_MAIL_ATTR", default_value = "mail")]
    ldap_mail_attr: String,
    /// Seconds each step (connect, bind, search) may take.
    #[arg(long, env = "LOTSEN_LDAP_TIMEOUT_SECS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=60))]
    ldap_timeout_secs: u64,
}

impl LdapArgs {
    /// The directory's configuration, `None` without a URL.
    fn config(self) -> Result<Option<directory::DirectoryConfig>, lotsen_server::BoxError> {
        let Some(url) = self.ldap_url.filter(|u| !u.trim().is_empty()) else {
            return Ok(None);
        };
        let bind_password = match self.ldap_bind_password_file {
            Some(path) => {
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    format!(
                        "LOTSEN_LDAP_BIND_PASSWORD_FILE {} ist nicht lesbar: {e}",
                        path.display()
                    )
                })?;
                Some(text.lines().next().unwrap_or_default().to_owned())
            }
            None => self.ldap_bind_password,
        };
        Ok(Some(directory::DirectoryConfig {
            url,
            starttls: self.ldap_starttls,
            ca_file: self.ldap_ca_file,
            bind_dn: self.ldap_bind_dn,
            bind_password,
            base_dn: self.ldap_base_dn.unwrap_or_default(),
            user_filter: self.ldap_user_filter,
            lotse_group: self.ldap_lotse_group,
            buero_group: self.ldap_buero_group,
            attributes: directory::Attributes {
                name: self.ldap_name_attr,
                department: self.ldap_department_attr,
                phone: self.ldap_phone_attr,
                mail: self.ldap_mail_attr,
            },
            timeout: Duration::from_secs(self.ldap_timeout_secs),
        }))
    }
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and the built app.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "LOTSEN_ADDR", default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        #[command(flatten)]
        data: DataDir,
        /// Directory of the built app (trunk's dist).
        #[arg(long, env = "LOTSEN_DIST", default_value = "./dist")]
        dist: PathBuf,
        /// Seed the demo data set (and demo accounts) if the database is empty.
        #[arg(long)]
        demo: bool,
        /// Mark the session cookie `Secure` (only sent over HTTPS); use it behind TLS.
        #[arg(long, env = "LOTSEN_SECURE_COOKIES", value_parser = BoolishValueParser::new(), default_value_t = false, num_args = 0..=1, default_missing_value = "true")]
        secure_cookies: bool,
        /// A session unused this many minutes ends.
        #[arg(long, env = "LOTSEN_SESSION_IDLE_MINUTES", default_value_t = 480)]
        session_idle_minutes: u64,
        /// A session ends this many hours after login, used or not.
        #[arg(long, env = "LOTSEN_SESSION_MAX_HOURS", default_value_t = 168)]
        session_max_hours: u64,
        /// Daily: anonymise requests closed and applications decided more than this many days ago (0: never).
        #[arg(long, env = "LOTSEN_RETENTION_DAYS", default_value_t = 365)]
        retention_days: u32,
        /// Daily: purge tombstones older than this many days (0: never).
        #[arg(long, env = "LOTSEN_TOMBSTONE_DAYS", default_value_t = 180)]
        tombstone_days: u32,
        /// Daily: forget logged push results (kept so that a retry is not applied twice) older than this many days.
        #[arg(long, env = "LOTSEN_MUTATION_LOG_DAYS", default_value_t = ops::MUTATION_LOG_DAYS, value_parser = clap::value_parser!(u32).range(1..))]
        mutation_log_days: u32,
        /// A request's headers must arrive within this many seconds; also ends idle kept-alive connections.
        #[arg(long, env = "LOTSEN_HEADER_TIMEOUT_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
        header_timeout_secs: u64,
        /// A request body must arrive within this many seconds.
        #[arg(long, env = "LOTSEN_BODY_TIMEOUT_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
        body_timeout_secs: u64,
        /// Connections served at once; more wait until one ends.
        #[arg(long, env = "LOTSEN_MAX_CONNECTIONS", default_value_t = 512, value_parser = clap::value_parser!(u64).range(1..=100_000))]
        max_connections: u64,
        /// Mutations one anonymous device may push per 10 minutes (at least 100, one full push).
        #[arg(long, env = "LOTSEN_ANONYMOUS_WRITES_PER_DEVICE", default_value_t = 300, value_parser = clap::value_parser!(u32).range(100..))]
        anonymous_writes_per_device: u32,
        /// Mutations all anonymous devices at one address may push per 10 minutes.
        #[arg(long, env = "LOTSEN_ANONYMOUS_WRITES_PER_ADDRESS", default_value_t = 2000, value_parser = clap::value_parser!(u32).range(100..))]
        anonymous_writes_per_address: u32,
        /// Anonymous writes pause while the data directory has less free space than this (MiB).
        #[arg(long, env = "LOTSEN_MIN_FREE_MB", default_value_t = 256)]
        min_free_mb: u64,
        #[command(flatten)]
        ldap: Box<LdapArgs>,
        /// The city's mail relay: smtp://relay:25, smtp://user:pass@host:587?tls=required, smtps://host:465. Without it, mails are written as .eml files into <data dir>/mail/outbox-sent/.
        #[arg(long, env = "LOTSEN_SMTP_URL", hide_env_values = true)]
        smtp_url: Option<String>,
        /// The sender address of mails (required with a relay).
        #[arg(long, env = "LOTSEN_MAIL_FROM")]
        mail_from: Option<String>,
        /// The Projektbüro's mailbox.
        #[arg(long, env = "LOTSEN_BUERO_MAIL")]
        buero_mail: Option<String>,
        /// The address people open the app at, for links in mails.
        #[arg(
            long,
            env = "LOTSEN_PUBLIC_URL",
            default_value = "http://127.0.0.1:8080"
        )]
        public_url: String,
        /// Seconds before a mail the relay did not take is tried again; doubles each time, up to a day.
        #[arg(long, env = "LOTSEN_MAIL_RETRY_SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86_400))]
        mail_retry_secs: u64,
    },
    /// Test the directory configuration: find USERNAME, show their groups and the role they
    /// would get. Asks for no password.
    LdapCheck {
        username: String,
        #[command(flatten)]
        ldap: LdapArgs,
    },
    /// Manage login accounts of Lotsen and the Projektbüro.
    Account {
        #[command(subcommand)]
        command: AccountCommand,
    },
    /// Write all records as JSON.
    Export {
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        data: DataDir,
    },
    /// Read records from a JSON export (validated, all or nothing).
    Import {
        #[arg(long = "in")]
        input: PathBuf,
        #[command(flatten)]
        data: DataDir,
    },
    /// Write the deterministic city-scale data set (200 topics, 2,000 Lotsen, 10,000 requests by
    /// default) in the import format, for benchmarks and tests at scale.
    City {
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = city::Size::CITY.topics)]
        topics: usize,
        #[arg(long, default_value_t = city::Size::CITY.lotsen)]
        lotsen: usize,
        #[arg(long, default_value_t = city::Size::CITY.requests)]
        requests: usize,
    },
    /// Copy this installation (SQLite in --data-dir) into a new, empty PostgreSQL database:
    /// every record, version and the epoch, so that clients continue with their cursors;
    /// accounts, sessions and the outbox too. Stop the server first.
    Copy {
        /// The target: postgres://user:pass@host:5432/lotsen
        #[arg(long)]
        to: String,
        /// A file with the target's password (replaces one in the URL).
        #[arg(long)]
        to_password_file: Option<PathBuf>,
        /// The CA (PEM) of the target's certificate.
        #[arg(long)]
        to_ca_file: Option<PathBuf>,
        #[command(flatten)]
        data: DataDir,
    },
    /// Write a consistent copy of the database (the server may keep running).
    Backup {
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        data: DataDir,
    },
    /// Blank the requester of requests closed (erledigt, abgelehnt) more than N days ago.
    Anonymise {
        #[arg(long, default_value_t = 365)]
        older_than_days: u32,
        #[command(flatten)]
        data: DataDir,
    },
    /// Remove tombstones older than N days; clients with older cursors then pull from the start.
    PurgeTombstones {
        #[arg(long)]
        older_than_days: u32,
        #[command(flatten)]
        data: DataDir,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Role {
    Lotse,
    Buero,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::Lotse => "lotse",
            Role::Buero => "buero",
        }
    }
}

#[derive(Subcommand)]
enum AccountCommand {
    /// Create an account. Without --password the password is read from stdin (one line).
    Add {
        username: String,
        #[arg(long, value_enum)]
        role: Role,
        /// Id of the Lotse record a Lotse account belongs to.
        #[arg(long)]
        lotse: Option<String>,
        #[arg(long)]
        password: Option<String>,
        #[command(flatten)]
        data: DataDir,
    },
    /// Set a new password (ends the account's sessions). Without --password it is read from
    /// stdin (one line).
    ResetPassword {
        username: String,
        #[arg(long)]
        password: Option<String>,
        #[command(flatten)]
        data: DataDir,
    },
    /// Lock an account: no login, its sessions end at once.
    Disable {
        username: String,
        #[command(flatten)]
        data: DataDir,
    },
    /// Unlock an account.
    Enable {
        username: String,
        #[command(flatten)]
        data: DataDir,
    },
    /// List all accounts.
    List {
        #[command(flatten)]
        data: DataDir,
    },
}

/// The password from the flag, or one line of stdin.
fn password_from(flag: Option<String>) -> Result<String, lotsen_server::BoxError> {
    if let Some(p) = flag {
        return Ok(p);
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("Passwort: ");
        std::io::stderr().flush()?;
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    let p = line.trim_end_matches(['\n', '\r']).to_owned();
    if p.is_empty() {
        return Err("Kein Passwort angegeben (--password oder eine Zeile auf stdin).".into());
    }
    Ok(p)
}

fn run_account(command: AccountCommand) -> Result<(), lotsen_server::BoxError> {
    match command {
        AccountCommand::Add {
            username,
            role,
            lotse,
            password,
            data,
        } => {
            let password = password_from(password)?;
            let store = data.open()?;
            let a = accounts::create(
                &store,
                NewAccount {
                    username,
                    password,
                    role: role.as_str().into(),
                    lotse,
                },
            )?;
            println!("Konto „{}“ ({}) angelegt.", a.username, a.role);
        }
        AccountCommand::ResetPassword {
            username,
            password,
            data,
        } => {
            let password = password_from(password)?;
            let store = data.open()?;
            let change = AccountChange {
                password: Some(password),
                ..AccountChange::default()
            };
            accounts::update(&store, &username, change, None, None)?;
            println!("Passwort von „{username}“ geändert; offene Sitzungen sind beendet.");
        }
        AccountCommand::Disable { username, data } => {
            set_disabled(&username, &data, true)?;
            println!("Konto „{username}“ gesperrt; offene Sitzungen sind beendet.");
        }
        AccountCommand::Enable { username, data } => {
            set_disabled(&username, &data, false)?;
            println!("Konto „{username}“ entsperrt.");
        }
        AccountCommand::List { data } => {
            let store = data.open()?;
            let all = accounts::list(&store)?;
            if all.is_empty() {
                println!("Keine Konten.");
            }
            for a in all {
                println!(
                    "{:<24} {:<6} {:<10} {:<36} {}",
                    a.username,
                    a.role,
                    if a.disabled { "gesperrt" } else { "aktiv" },
                    a.lotse.as_deref().unwrap_or("-"),
                    a.created_at
                );
            }
        }
    }
    Ok(())
}

fn set_disabled(
    username: &str,
    data: &DataDir,
    disabled: bool,
) -> Result<(), lotsen_server::BoxError> {
    let store = data.open()?;
    let change = AccountChange {
        disabled: Some(disabled),
        ..AccountChange::default()
    };
    accounts::update(&store, username, change, None, None)?;
    Ok(())
}

/// `ldap-check USERNAME`: what the directory says about a person and which role they would
/// get, for the operator setting it up.
fn ldap_check(username: &str, ldap: LdapArgs) -> Result<(), lotsen_server::BoxError> {
    let config = ldap
        .config()?
        .ok_or("Kein Verzeichnis eingestellt (--ldap-url oder LOTSEN_LDAP_URL).")?;
    let directory = directory::Directory::new(config)?;
    let runtime = tokio::runtime::Runtime::new()?;
    let user = match runtime.block_on(directory.lookup(username.trim())) {
        Ok(Some(user)) => user,
        Ok(None) => {
            return Err(format!(
                "„{}“ wurde im Verzeichnis nicht gefunden (oder mehr als einmal).",
                username.trim()
            )
            .into())
        }
        Err(e) => {
            return Err(format!("Das Verzeichnis antwortet nicht wie erwartet: {e:?}").into())
        }
    };
    println!("Gefunden: {}", user.dn);
    let p = &user.profile;
    println!(
        "Name: {}\nBereich: {}\nTelefon: {}\nE-Mail: {}",
        p.name, p.department, p.phone, p.email
    );
    println!("Gruppen ({}):", user.groups.len());
    for g in &user.groups {
        println!("  {g}");
    }
    println!(
        "Rolle: {}",
        match user.role {
            Some(lotsen_domain::directory::DirectoryRole::Buero) => "Projektbüro",
            Some(lotsen_domain::directory::DirectoryRole::Lotse) => "Lotse",
            None => "keine (weder in der Lotsen- noch in der Büro-Gruppe): keine Anmeldung",
        }
    );
    Ok(())
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, not in journald or a log file.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Fehler: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), lotsen_server::BoxError> {
    match cli.command {
        Command::Serve {
            addr,
            data,
            dist,
            demo,
            secure_cookies,
            session_idle_minutes,
            session_max_hours,
            retention_days,
            tombstone_days,
            mutation_log_days,
            header_timeout_secs,
            body_timeout_secs,
            max_connections,
            anonymous_writes_per_device,
            anonymous_writes_per_address,
            min_free_mb,
            ldap,
            smtp_url,
            mail_from,
            buero_mail,
            public_url,
            mail_retry_secs,
        } => {
            let auth = AuthConfig {
                idle_timeout: Duration::from_secs(session_idle_minutes.max(1) * 60),
                absolute_timeout: Duration::from_secs(session_max_hours.max(1) * 60 * 60),
                secure_cookies,
                ..AuthConfig::default()
            };
            let runtime = tokio::runtime::Runtime::new()?;
            let database_access = data.access()?;
            runtime.block_on(lotsen_server::serve(Config {
                addr,
                database_url: data.database_url,
                database_access,
                data_dir: data.data_dir,
                dist,
                demo,
                auth,
                retention: ops::Retention {
                    anonymise_after_days: Some(retention_days).filter(|d| *d > 0),
                    purge_tombstones_after_days: Some(tombstone_days).filter(|d| *d > 0),
                    mutation_log_days,
                },
                http: lotsen_server::http::HttpLimits {
                    header_timeout: Duration::from_secs(header_timeout_secs),
                    body_timeout: Duration::from_secs(body_timeout_secs),
                    max_connections: usize::try_from(max_connections).unwrap_or(usize::MAX),
                },
                write_budget: lotsen_server::writes::WriteBudgetConfig {
                    per_device: anonymous_writes_per_device,
                    per_address: anonymous_writes_per_address,
                    ..Default::default()
                },
                min_free_bytes: min_free_mb.saturating_mul(1024 * 1024),
                directory: ldap.config()?,
                mail: lotsen_server::mail::MailConfig {
                    smtp_url,
                    from: mail_from,
                    buero: buero_mail,
                    public_url,
                    retry_base: Duration::from_secs(mail_retry_secs),
                },
            }))
        }
        Command::LdapCheck { username, ldap } => ldap_check(&username, ldap),
        Command::Account { command } => run_account(command),
        Command::Export { out, data } => {
            let n = ops::export_to_file(&data.open()?, &out)?;
            println!("{n} Datensätze nach {} exportiert.", out.display());
            Ok(())
        }
        Command::Import { input, data } => {
            let n = ops::import_from_file(&data.open()?, &input)?;
            println!("{n} Datensätze importiert.");
            Ok(())
        }
        Command::City {
            out,
            topics,
            lotsen,
            requests,
        } => {
            let export = city::generate(city::Size::new(topics, lotsen, requests)?);
            std::fs::write(&out, serde_json::to_vec(&export)?)?;
            println!(
                "{} Datensätze nach {} geschrieben.",
                export.records.len(),
                out.display()
            );
            Ok(())
        }
        Command::Copy {
            to,
            to_password_file,
            to_ca_file,
            data,
        } => {
            let source = data.open()?;
            let target = DataDir {
                data_dir: data.data_dir.clone(),
                database_url: None,
                database_password_file: to_password_file,
                database_ca_file: to_ca_file,
            }
            .access()?;
            let target = Store::connect_with(&to, &target, &data.data_dir)?;
            for (table, n) in source.copy_to(&target)? {
                println!("{table}: {n}");
            }
            println!(
                "Kopiert; die Datenbank behält ihre Epoche {}. Starten Sie den Server jetzt mit \
                 --database-url.",
                source.epoch()
            );
            Ok(())
        }
        Command::Backup { out, data } => {
            if out.exists() {
                return Err(format!("{} existiert schon.", out.display()).into());
            }
            data.open()?.backup(&out)?;
            println!("Sicherung nach {} geschrieben.", out.display());
            Ok(())
        }
        Command::Anonymise {
            older_than_days,
            data,
        } => {
            let n = ops::anonymise(&data.open()?, older_than_days)?;
            println!("{n}");
            Ok(())
        }
        Command::PurgeTombstones {
            older_than_days,
            data,
        } => {
            let n = ops::purge_tombstones(&data.open()?, older_than_days)?;
            println!("{n} gelöschte Einträge endgültig entfernt.");
            Ok(())
        }
    }
}
