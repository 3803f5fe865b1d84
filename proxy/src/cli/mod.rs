//! The command line: one file per command. Settings come from flags, then the environment, then
//! `--config proxy.toml`, then defaults; secrets only from the environment or files.

mod backend_key_add;
mod backend_settings;
mod cert_activate;
mod cert_create;
mod cert_download;
mod cert_list;
mod cert_retire;
mod health;
mod serve;
mod settings;
mod user_add;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The Smart Tags proxy: serves the upload page and forwards tag requests to the tagging service.
#[derive(Debug, Parser)]
#[command(
    version,
    after_help = "Environment only, never flags: SMART_TAGS_KEY_PASSPHRASE (seals the private keys at rest, at least 16 characters), SMART_TAGS_LOG_FORMAT=json (one JSON object per log line; text by default), RUST_LOG (the log filter, default info). Secrets come from files or the environment, never from the command line."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// The proxy's data directory (its key store is `<data-dir>/keys/`).
    #[arg(long, global = true, env = "SMART_TAGS_PROXY_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// A proxy.toml with the non-secret settings.
    #[arg(long, global = true, env = "SMART_TAGS_PROXY_CONFIG")]
    config: Option<PathBuf>,
    #[command(flatten)]
    serve: settings::ServeArgs,
    #[command(flatten)]
    auth: settings::AuthArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Key pairs and certificates of the proxy.
    #[command(subcommand)]
    Cert(CertCommand),
    /// Checks every step from the configuration to a real prediction.
    Health(health::HealthArgs),
    /// Users of the standalone upload page (the page users file).
    #[command(subcommand)]
    User(UserCommand),
    /// API keys of DAM back ends (the back-end API, docs/backend-api.md).
    #[command(subcommand, name = "backend-key")]
    BackendKey(BackendKeyCommand),
}

#[derive(Debug, Subcommand)]
enum BackendKeyCommand {
    /// Makes a new key, prints it once and adds its SHA-256 to the keys file.
    Add(backend_key_add::AddArgs),
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Adds a user; the password is read from stdin (prompted without echo on a terminal).
    Add(user_add::AddArgs),
}

#[derive(Debug, Subcommand)]
enum CertCommand {
    /// Creates a key pair and a self-signed certificate (the first is active, later ones next).
    Create(cert_create::CreateArgs),
    /// Prints a certificate (the next one if any, else the active one) for the console.
    Download(cert_download::DownloadArgs),
    /// Lists the certificates.
    List(cert_list::ListArgs),
    /// Makes a certificate the one that signs (a running proxy picks it up at its next refresh).
    Activate(cert_activate::ActivateArgs),
    /// Retires a certificate: deletes its private key (never the active one).
    Retire(cert_retire::RetireArgs),
}

pub(crate) async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let settings = settings::Settings::new(cli.data_dir, cli.config, cli.serve, cli.auth);
    match cli.command {
        None => serve::run(settings).await.map(|()| ExitCode::SUCCESS),
        Some(Command::Health(args)) => health::run(settings, args).await,
        Some(Command::BackendKey(BackendKeyCommand::Add(args))) => {
            backend_key_add::run(settings.backend_keys_file()?, args).map(|()| ExitCode::SUCCESS)
        }
        Some(Command::User(UserCommand::Add(args))) => {
            user_add::run(settings.page_users_file(), args).map(|()| ExitCode::SUCCESS)
        }
        Some(Command::Cert(command)) => {
            let store = settings.key_store()?;
            match command {
                CertCommand::Create(args) => cert_create::run(&store, args),
                CertCommand::Download(args) => cert_download::run(&store, args),
                CertCommand::List(args) => cert_list::run(&store, args),
                CertCommand::Activate(args) => cert_activate::run(settings, &store, args).await,
                CertCommand::Retire(args) => cert_retire::run(&store, args),
            }
            .map(|()| ExitCode::SUCCESS)
        }
    }
}

/// Unix time now.
fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}
