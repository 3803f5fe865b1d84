//! `cert retire ID`: deletes the private key, keeps the certificate for the record.

use clap::Args;
use smart_tags_proxy::keys::KeyStore;

#[derive(Debug, Args)]
pub(crate) struct RetireArgs {
    id: String,
}

pub(crate) fn run(store: &KeyStore, args: RetireArgs) -> anyhow::Result<()> {
    store.retire(&args.id)?;
    println!("certificate {} is retired; remove it from the integration too", args.id);
    Ok(())
}
