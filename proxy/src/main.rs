//! Run with `cargo run --release -p smart_tags_proxy -- --help`.
//!
//! Without a subcommand the proxy serves; `cert ...` manages the key store and `health` checks
//! the credential chain (see `cli/`).

mod cli;

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    match cli::run(cli).await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
