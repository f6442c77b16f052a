//! The Lotsenfinder server: the sync API of SPEC §7 over SQLite, and the built app as static
//! files. `main.rs` is a thin command line around [`serve`] and the operator commands in
//! [`ops`].

pub mod accounts;
pub mod actor;
pub mod api;
pub mod auth;
pub mod city;
pub mod demo;
pub mod directory;
pub mod error;
pub mod export;
pub mod http;
pub mod mail;
pub mod ops;
pub mod session;
pub mod store;
pub mod sync;
pub mod tls;
pub mod web;
pub mod writes;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::response::IntoResponse;
use axum::routing::{any, get};
use axum::{middleware, Router};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

pub use auth::{AuthConfig, ThrottleConfig};
pub use store::Store;

/// The largest request body we read (SPEC §7: 413 beyond).
pub const MAX_BODY: usize = 1024 * 1024;

#[derive(Clone)]
pub struct ServerState {
    pub store: Arc<Store>,
    /// The directory of the built app.
    pub dist: PathBuf,
    /// Sessions, login throttling and their settings.
    pub auth: Arc<auth::Auth>,
    /// The budget and storage guard of anonymous writes.
    pub writes: Arc<writes::Writes>,
    /// The city's directory for sign-in, if configured (`LOTSEN_LDAP_URL`).
    pub directory: Option<Arc<directory::Directory>>,
    /// The mail sender, woken after pushes that wrote mails.
    pub mailer: Option<Arc<mail::Mailer>>,
}

impl ServerState {
    /// With the default session settings.
    pub fn new(store: Arc<Store>, dist: impl Into<PathBuf>) -> ServerState {
        ServerState::with_auth(store, dist, AuthConfig::default())
    }

    pub fn with_auth(
        store: Arc<Store>,
        dist: impl Into<PathBuf>,
        config: AuthConfig,
    ) -> ServerState {
        let writes = writes::Writes {
            budget: writes::WriteBudget::new(writes::WriteBudgetConfig::default()),
            data_dir: store.dir().to_owned(),
            min_free_bytes: writes::MIN_FREE_BYTES,
        };
        ServerState {
            store,
            dist: dist.into(),
            auth: Arc::new(auth::Auth::new(config)),
            writes: Arc::new(writes),
            directory: None,
            mailer: None,
        }
    }

    /// With this mail sender (its task runs elsewhere, see [`mail::run`]).
    pub fn with_mailer(mut self, mailer: Arc<mail::Mailer>) -> ServerState {
        self.mailer = Some(mailer);
        self
    }

    /// Signing in through this directory as well as with local accounts.
    pub fn with_directory(mut self, directory: directory::Directory) -> ServerState {
        self.directory = Some(Arc::new(directory));
        self
    }

    /// With this budget for anonymous writes and this much free space kept.
    pub fn with_writes(
        mut self,
        budget: writes::WriteBudgetConfig,
        min_free_bytes: u64,
    ) -> ServerState {
        self.writes = Arc::new(writes::Writes {
            budget: writes::WriteBudget::new(budget),
            data_dir: self.store.dir().to_owned(),
            min_free_bytes,
        });
        self
    }
}

pub fn app(state: ServerState) -> Router {
    Router::new()
        .route("/api/v1/health", get(api::health))
        .merge(sync::router())
        .merge(session::router())
        .merge(accounts::router())
        .merge(export::router())
        .merge(mail::router())
        .route("/api", any(api::not_found))
        .route("/api/{*rest}", any(api::not_found))
        .method_not_allowed_fallback(api::method_not_allowed)
        .fallback(web::serve_static)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(CatchPanicLayer::custom(|_| {
            error::ApiError::Internal("handler panicked".into()).into_response()
        }))
        .layer(middleware::from_fn(web::limits))
        .layer(middleware::from_fn(web::api_errors_as_json))
        .layer(middleware::from_fn(web::headers))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// What `serve` needs; the CLI fills it from flags and environment.
#[derive(Clone, Debug)]
pub struct Config {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    /// PostgreSQL instead of SQLite in `data_dir` (SPEC §8: several processes, one database).
    pub database_url: Option<String>,
    /// The password and CA for `database_url`.
    pub database_access: store::PgAccess,
    pub dist: PathBuf,
    /// Seed the demo data set if the database is empty.
    pub demo: bool,
    /// Session timeouts, cookie flags, login throttling.
    pub auth: AuthConfig,
    /// The daily anonymisation, tombstone purge and expiry of the mutation log.
    pub retention: ops::Retention,
    /// Timeouts and the connection cap of the HTTP layer.
    pub http: http::HttpLimits,
    /// Mutations an anonymous device or address may push per window.
    pub write_budget: writes::WriteBudgetConfig,
    /// Anonymous writes pause below this much free space in the data directory.
    pub min_free_bytes: u64,
    /// Sign-in through the city's directory (LDAP / Active Directory), if configured.
    pub directory: Option<directory::DirectoryConfig>,
    /// Mails about requests: the relay (or `.eml` files), sender, links.
    pub mail: mail::MailConfig,
}

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Opens the store, seeds demo data if asked, and serves until Ctrl-C or SIGTERM.
pub async fn serve(config: Config) -> Result<(), BoxError> {
    let directory = config
        .directory
        .map(directory::Directory::new)
        .transpose()?;
    let mailer = Arc::new(mail::Mailer::new(config.mail, &config.data_dir)?);
    let (url, access, dir) = (
        config.database_url.clone(),
        config.database_access.clone(),
        config.data_dir.clone(),
    );
    // Connecting blocks (PostgreSQL's client runs its own small runtime).
    let store = Arc::new(
        store::blocking(move || Store::open_configured(url.as_deref(), &access, &dir)).await??,
    );
    if config.demo {
        let seeder = store.clone();
        let seeded = store::blocking(move || demo::seed_if_empty(&seeder)).await??;
        if seeded > 0 {
            tracing::info!(records = seeded, "demo data seeded");
        }
    }
    if !config.dist.join("index.html").is_file() {
        tracing::warn!(dist = %config.dist.display(), "no index.html in the dist directory; only the API is served");
    }
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    tokio::spawn(retention_schedule(store.clone(), config.retention));
    if !mailer.buero_configured() {
        tracing::warn!("no LOTSEN_BUERO_MAIL: mails for the Projektbüro cannot be sent");
    }
    tokio::spawn(mail::run(store.clone(), mailer.clone()));
    tokio::spawn(mail::digest_schedule(store.clone(), mailer.clone()));
    let local = listener.local_addr()?;
    println!("Lotsenfinder läuft auf http://{local}");
    tracing::info!(%local, data_dir = %config.data_dir.display(), epoch = store.epoch(), "listening");
    let mut state = ServerState::with_auth(store, config.dist, config.auth)
        .with_writes(config.write_budget, config.min_free_bytes)
        .with_mailer(mailer);
    if let Some(directory) = directory {
        tracing::info!(url = %directory.config().url, "sign-in through the directory");
        state = state.with_directory(directory);
    }
    http::serve(listener, app(state), config.http, shutdown_signal()).await;
    tracing::info!("stopped");
    Ok(())
}

/// Runs retention at start and then every hour, each time only if this UTC day's run has not
/// been done yet by this or another process on the same database. A failed run is logged and
/// tried again the next day; it never stops the server.
async fn retention_schedule(store: Arc<Store>, retention: ops::Retention) {
    let mut daily = tokio::time::interval(std::time::Duration::from_secs(60 * 60));
    daily.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        daily.tick().await;
        let store = store.clone();
        match store::blocking(move || ops::daily_retention(&store, retention)).await {
            Ok(Ok(None)) => {}
            Ok(Ok(Some(report))) => {
                tracing::info!(
                    requests = report.anonymised.requests,
                    applications = report.anonymised.applications,
                    tombstones = report.tombstones_purged,
                    mutations = report.mutations_expired,
                    "retention run"
                )
            }
            Ok(Err(e)) => tracing::error!(error = %e, "retention run failed"),
            Err(e) => tracing::error!(error = %e, "retention run panicked"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
