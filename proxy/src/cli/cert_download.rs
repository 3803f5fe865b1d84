//! `cert download [ID] [--out FILE]`: the public certificate only, never the private key.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use smart_tags_proxy::keys::KeyStore;

#[derive(Debug, Args)]
pub(crate) struct DownloadArgs {
    /// The certificate [default: the next one, else the active one].
    id: Option<String>,
    /// Writes the PEM to this file instead of printing it.
    #[arg(long)]
    out: Option<PathBuf>,
}

pub(crate) fn run(store: &KeyStore, args: DownloadArgs) -> anyhow::Result<()> {
    let (id, pem) = store.download(args.id.as_deref())?;
    match args.out {
        Some(path) => {
            std::fs::write(&path, pem).with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("wrote certificate {id} to {}", path.display());
        }
        None => print!("{pem}"),
    }
    Ok(())
}
