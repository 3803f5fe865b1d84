//! `cert activate ID`: a running proxy signs with it from its next token refresh.

use clap::Args;
use smart_tags_proxy::keys::KeyStore;

#[derive(Debug, Args)]
pub(crate) struct ActivateArgs {
    id: String,
}

pub(crate) fn run(store: &KeyStore, args: ActivateArgs) -> anyhow::Result<()> {
    store.activate(&args.id)?;
    println!("certificate {} is active; a running proxy signs with it from its next token refresh", args.id);
    Ok(())
}
