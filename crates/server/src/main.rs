//! Command line of the Lotsenfinder server: `serve` plus the operator commands of SPEC §8.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use lotsen_server::{ops, Config, Store};

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
    /// Directory of the SQLite database.
    #[arg(long, env = "LOTSEN_DATA_DIR", default_value = "./data")]
    data_dir: PathBuf,
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
    /// Write a consistent copy of the database (the server may keep running).
    Backup {
        #[arg(long)]
        out: PathBuf,
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

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
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
        } => {
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(lotsen_server::serve(Config {
                addr,
                data_dir: data.data_dir,
                dist,
                demo,
            }))
        }
        Command::Export { out, data } => {
            let n = ops::export_to_file(&Store::open(&data.data_dir)?, &out)?;
            println!("{n} Datensätze nach {} exportiert.", out.display());
            Ok(())
        }
        Command::Import { input, data } => {
            let n = ops::import_from_file(&Store::open(&data.data_dir)?, &input)?;
            println!("{n} Datensätze importiert.");
            Ok(())
        }
        Command::Backup { out, data } => {
            if out.exists() {
                return Err(format!("{} existiert schon.", out.display()).into());
            }
            Store::open(&data.data_dir)?.backup(&out)?;
            println!("Sicherung nach {} geschrieben.", out.display());
            Ok(())
        }
        Command::PurgeTombstones {
            older_than_days,
            data,
        } => {
            let n = ops::purge_tombstones(&Store::open(&data.data_dir)?, older_than_days)?;
            println!("{n} gelöschte Einträge endgültig entfernt.");
            Ok(())
        }
    }
}
