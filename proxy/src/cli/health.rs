//! `smart-tags-proxy health [--json] [--warn-days 30]`: exit 0 when healthy (warnings allowed),
//! 1 when a step failed.

use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use smart_tags_proxy::health::{check, HealthInput};
use smart_tags_proxy::token::RetryPolicy;

use super::settings::Settings;

#[derive(Debug, Args)]
pub(crate) struct HealthArgs {
    /// Prints the report as JSON.
    #[arg(long)]
    json: bool,
    /// A certificate expiring within this many days is a warning.
    #[arg(long, default_value_t = 30)]
    warn_days: i64,
}

pub(crate) async fn run(settings: Settings, args: HealthArgs) -> anyhow::Result<ExitCode> {
    let (config, auth, problems) = match settings.resolve() {
        Ok(resolved) => resolved,
        Err(problem) => {
            let fallback = smart_tags_proxy::config::auth::AuthConfig::none("http://127.0.0.1:7701");
            (placeholder_config(), fallback, vec![problem])
        }
    };
    let input = HealthInput {
        auth,
        problems,
        service_url: config.service_url.clone(),
        warn_days: args.warn_days,
        timeout: config.service_timeout.min(Duration::from_secs(30)),
        retry: RetryPolicy::default(),
    };
    let report = check(&input).await;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.to_text());
    }
    Ok(if report.healthy { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn placeholder_config() -> smart_tags_proxy::config::Config {
    smart_tags_proxy::config::Config {
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 8080)),
        service_url: "http://127.0.0.1:7701".to_owned(),
        www_dir: None,
        service_timeout: Duration::from_secs(10),
        connections: Default::default(),
        admin_token: None,
        browser: Default::default(),
    }
}
