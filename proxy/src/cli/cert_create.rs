//! `cert create [--algorithm rsa-2048|rsa-3072|rsa-4096|p256] [--validity-days 365] [--common-name N]`.

use anyhow::anyhow;
use clap::Args;
use smart_tags_credentials::KeyAlgorithm;
use smart_tags_proxy::keys::{CreateOptions, KeyStore};

#[derive(Debug, Args)]
pub(crate) struct CreateArgs {
    /// rsa-2048, rsa-3072, rsa-4096 or p256.
    #[arg(long, default_value = "rsa-2048")]
    algorithm: String,
    /// Days the certificate is valid (1 to 3650).
    #[arg(long, default_value_t = 365)]
    validity_days: u32,
    /// The certificate's subject.
    #[arg(long, default_value = "smart-tags-proxy")]
    common_name: String,
}

pub(crate) fn run(store: &KeyStore, args: CreateArgs) -> anyhow::Result<()> {
    let algorithm = KeyAlgorithm::parse(&args.algorithm)
        .ok_or_else(|| anyhow!("--algorithm must be rsa-2048, rsa-3072, rsa-4096 or p256, not {}", args.algorithm))?;
    let options = CreateOptions { algorithm, validity_days: args.validity_days, common_name: args.common_name };
    let id = store.create(&options, super::now())?;
    let status = if store.state()?.active.as_deref() == Some(id.as_str()) { "active" } else { "next" };
    println!("created certificate {id} ({status}) in {}", store.dir().display());
    println!("upload it to the integration: smart-tags-proxy cert download {id} --out {id}.crt");
    Ok(())
}
