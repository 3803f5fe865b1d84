//! `cert activate ID [--unchecked]`: a running proxy signs with it from its next token refresh.
//! First the authorization server must accept a JWT signed with it (`token::registration`): an
//! unregistered certificate is refused, as on the admin page. `--unchecked` skips the check
//! (the service is not running yet).

use std::time::Duration;

use anyhow::anyhow;
use clap::Args;
use smart_tags_proxy::keys::KeyStore;
use smart_tags_proxy::token::registration::{self, Registration};

use super::settings::Settings;

#[derive(Debug, Args)]
pub(crate) struct ActivateArgs {
    id: String,
    /// Activates without asking the authorization server whether it accepts the certificate.
    #[arg(long)]
    unchecked: bool,
}

pub(crate) async fn run(settings: Settings, store: &KeyStore, args: ActivateArgs) -> anyhow::Result<()> {
    let candidate = store.candidate(&args.id)?;
    if !args.unchecked {
        let (config, auth, problems) = settings
            .resolve()
            .map_err(|e| anyhow!("cannot check the certificate: {e} (or activate it with --unchecked)"))?;
        if !problems.is_empty() {
            return Err(anyhow!(
                "cannot check the certificate: {} (or activate it with --unchecked)",
                problems.join("; ")
            ));
        }
        match registration::check(&auth, &candidate, config.service_timeout.min(Duration::from_secs(30))).await? {
            Registration::Accepted => println!("the authorization server accepts certificate {}", args.id),
            Registration::NotSigned => println!("not checked: with grant {} the proxy signs no jwt (run this with the proxy's settings in the environment to check the certificate)", auth.grant.as_str()),
            Registration::NotConfigured => println!("not checked: no integration is configured yet (no jwt payload)"),
        }
    }
    store.activate(&args.id)?;
    println!("certificate {} is active; a running proxy signs with it from its next token refresh", args.id);
    Ok(())
}
