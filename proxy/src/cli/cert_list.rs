//! `cert list [--json]`.

use clap::Args;
use smart_tags_proxy::keys::KeyStore;

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// Prints JSON.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(store: &KeyStore, args: ListArgs) -> anyhow::Result<()> {
    let list = store.list(super::now())?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(());
    }
    if list.is_empty() {
        println!("no certificates: run `smart-tags-proxy cert create`");
    }
    for c in list {
        let status = serde_json::to_value(c.status)?.as_str().unwrap_or_default().to_owned();
        let sealed = if c.sealed { ", sealed" } else { "" };
        println!(
            "{}  {:<8} {}  expires {} ({} days)  {}{sealed}",
            c.id, status, c.algorithm, c.not_after, c.days_left, c.subject
        );
    }
    Ok(())
}
