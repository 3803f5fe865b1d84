//! The `smart-tags-proxy` binary: `cert create/list/download/activate/retire` on a data
//! directory, `health --json` against the stand-in with the configuration in the environment
//! (exit 0 healthy, 1 failed), and serving refused with every missing setting named.

#![allow(clippy::unwrap_used)]

mod common;

use std::process::{Command, Output};

use common::*;
use serde_json::Value;

fn proxy(data_dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_smart-tags-proxy"));
    command.args(args).env("SMART_TAGS_PROXY_DATA_DIR", data_dir).env_remove("SMART_TAGS_KEY_PASSPHRASE");
    for name in [
        "SMART_TAGS_API_KEY",
        "SMART_TAGS_CLIENT_SECRET",
        "SMART_TAGS_CLIENT_SECRET_FILE",
        "SMART_TAGS_JWT_PAYLOAD",
        "SMART_TAGS_JWT_PAYLOAD_FILE",
        "SMART_TAGS_AUTH_GRANT",
        "SMART_TAGS_AUTH_URL",
        "SMART_TAGS_SERVICE_URL",
    ] {
        command.env_remove(name);
    }
    command.envs(env.iter().copied()).output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cert_commands_and_health() {
    let stand_in = start_stand_in(3_600_000).await;
    let dir = tempfile::tempdir().unwrap();
    let created = proxy(dir.path(), &["cert", "create", "--algorithm", "p256", "--validity-days", "90"], &[]);
    assert!(created.status.success(), "{created:?}");
    let list: Value = serde_json::from_str(&stdout(&proxy(dir.path(), &["cert", "list", "--json"], &[]))).unwrap();
    let id = list[0]["id"].as_str().unwrap().to_owned();
    assert_eq!((list[0]["status"].as_str(), list[0]["algorithm"].as_str()), (Some("active"), Some("ES256")));
    let out = dir.path().join("cert.pem");
    let download = proxy(dir.path(), &["cert", "download", &id, "--out", out.to_str().unwrap()], &[]);
    assert!(download.status.success());
    let pem = std::fs::read_to_string(&out).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    stand_in.register(&pem);

    let secret_file = dir.path().join("secret");
    std::fs::write(&secret_file, format!("{SECRET}\n")).unwrap();
    let payload = Value::Object(payload(&stand_in)).to_string();
    let env = [
        ("SMART_TAGS_SERVICE_URL", stand_in.url.as_str()),
        ("SMART_TAGS_API_KEY", API_KEY),
        ("SMART_TAGS_CLIENT_SECRET_FILE", secret_file.to_str().unwrap()),
        ("SMART_TAGS_JWT_PAYLOAD", payload.as_str()),
    ];
    let health = proxy(dir.path(), &["health", "--json", "--warn-days", "100"], &env);
    let report: Value = serde_json::from_str(&stdout(&health)).unwrap();
    assert_eq!(health.status.code(), Some(0), "{report}");
    assert_eq!(
        report["summary"], "healthy configuration, with 1 warning",
        "90 days is under --warn-days 100: {report}"
    );
    let text = proxy(dir.path(), &["health", "--warn-days", "10"], &env);
    assert_eq!(text.status.code(), Some(0));
    assert!(stdout(&text).ends_with("healthy configuration\n"), "{}", stdout(&text));

    std::fs::write(&secret_file, "stcs_wrong").unwrap();
    let health = proxy(dir.path(), &["health", "--json"], &env);
    assert_eq!(health.status.code(), Some(1));
    let report: Value = serde_json::from_str(&stdout(&health)).unwrap();
    assert_eq!(report["steps"][4]["status"], "failed");
    assert!(!stdout(&health).contains(SECRET));

    // A second certificate waits as next; activate and retire.
    assert!(proxy(dir.path(), &["cert", "create", "--algorithm", "p256"], &[]).status.success());
    let list: Value = serde_json::from_str(&stdout(&proxy(dir.path(), &["cert", "list", "--json"], &[]))).unwrap();
    let next = list[1]["id"].as_str().unwrap().to_owned();
    assert_eq!(list[1]["status"], "next");
    // With the integration configured, the authorization server must accept the certificate
    // first: unregistered, it is refused and nothing changes; registered, it is activated.
    std::fs::write(&secret_file, format!("{SECRET}\n")).unwrap();
    let refused = proxy(dir.path(), &["cert", "activate", &next], &env);
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success()
            && said.contains(&format!("the authorization server refuses a jwt signed with certificate {next}")),
        "{said}"
    );
    let list: Value = serde_json::from_str(&stdout(&proxy(dir.path(), &["cert", "list", "--json"], &[]))).unwrap();
    assert_eq!((list[0]["status"].as_str(), list[1]["status"].as_str()), (Some("active"), Some("next")));
    let next_pem = dir.path().join("next.pem");
    assert!(proxy(dir.path(), &["cert", "download", &next, "--out", next_pem.to_str().unwrap()], &[]).status.success());
    stand_in.register(&std::fs::read_to_string(&next_pem).unwrap());
    let activated = proxy(dir.path(), &["cert", "activate", &next], &env);
    assert!(activated.status.success(), "{}", String::from_utf8_lossy(&activated.stderr));
    assert!(
        stdout(&activated).starts_with(&format!("the authorization server accepts certificate {next}\n")),
        "{}",
        stdout(&activated)
    );
    let refused = proxy(dir.path(), &["cert", "retire", &next], &[]);
    assert!(!refused.status.success() && String::from_utf8_lossy(&refused.stderr).contains("is the active one"));
    assert!(proxy(dir.path(), &["cert", "retire", &id], &[]).status.success());
    let list: Value = serde_json::from_str(&stdout(&proxy(dir.path(), &["cert", "list", "--json"], &[]))).unwrap();
    assert_eq!(list[1]["status"], "retired");
}

#[test]
fn serving_with_an_incomplete_configuration_names_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    let output = proxy(
        dir.path(),
        &["--listen", "127.0.0.1:0", "--www-dir", "/nonexistent"],
        &[("SMART_TAGS_API_KEY", API_KEY)],
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("grant jwt is missing SMART_TAGS_CLIENT_SECRET_FILE or SMART_TAGS_CLIENT_SECRET, SMART_TAGS_JWT_PAYLOAD_FILE or SMART_TAGS_JWT_PAYLOAD"), "{stderr}");
    assert!(stderr.contains("www dir /nonexistent has no index.html"), "{stderr}");
    assert!(stderr.contains("the key store has no certificate yet"), "{stderr}");

    let toml = dir.path().join("proxy.toml");
    std::fs::write(&toml, "api_key = \"x\"\nclient_secret = \"stcs_nope\"\n").unwrap();
    let output = proxy(dir.path(), &["--config", toml.to_str().unwrap(), "health"], &[]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.contains("secrets are not read from the config file (client_secret)"), "{text}");
    assert!(!text.contains("stcs_nope"));
}
