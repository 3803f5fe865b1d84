//! `smart-tags-service --config service.toml`: the file's settings are used, a flag or an
//! environment variable wins over them, and a bad file stops the service with the problem named
//! (the real binary; no model needed).

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

/// The service binary with none of its settings inherited from the environment.
fn service(args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_smart-tags-service"));
    for name in [
        "SMART_TAGS_SERVICE_LISTEN",
        "SMART_TAGS_DATA_DIR",
        "SMART_TAGS_SERVICE_CONFIG",
        "SMART_TAGS_MODEL_DIR",
        "ORT_DYLIB_PATH",
        "SMART_TAGS_SERVICE_ADMIN_TOKEN_FILE",
    ] {
        command.env_remove(name);
    }
    command.args(args).envs(env.iter().copied()).output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn has_token_keys(dir: &Path) -> bool {
    dir.join("token-keys.json").is_file()
}

#[test]
fn the_file_is_read_and_flags_and_the_environment_win() {
    let dir = tempfile::tempdir().unwrap();
    let (from_file, from_flag, from_env) = (dir.path().join("a"), dir.path().join("b"), dir.path().join("c"));
    let config = dir.path().join("service.toml");
    std::fs::write(&config, format!("data_dir = {:?}\n", from_file.to_str().unwrap())).unwrap();
    let config = config.to_str().unwrap();

    // `token-key rotate` writes its key into the data directory the settings name.
    let output = service(&["--config", config, "token-key", "rotate"], &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(has_token_keys(&from_file));
    let first = std::fs::read(from_file.join("token-keys.json")).unwrap();

    let output = service(&["--config", config, "--data-dir", from_flag.to_str().unwrap(), "token-key", "rotate"], &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(has_token_keys(&from_flag));

    let output = service(
        &["token-key", "rotate"],
        &[("SMART_TAGS_SERVICE_CONFIG", Path::new(config)), ("SMART_TAGS_DATA_DIR", &from_env)],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(has_token_keys(&from_env));
    assert_eq!(
        std::fs::read(from_file.join("token-keys.json")).unwrap(),
        first,
        "only the first run used the file's folder"
    );
}

#[test]
fn serving_settings_come_from_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("service.toml");
    let data = dir.path().join("data");
    std::fs::write(&config, format!("listen = \"0.0.0.0:0\"\nopen = true\ndata_dir = {:?}\n", data.to_str().unwrap()))
        .unwrap();
    // Both came from the file: open mode beyond loopback is refused before anything loads.
    let output = service(&["--config", config.to_str().unwrap()], &[]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("refusing to listen on 0.0.0.0:0 in open mode"), "{}", stderr(&output));
    // A flag wins: on loopback the service gets as far as asking for its model.
    let output = service(&["--config", config.to_str().unwrap(), "--listen", "127.0.0.1:0"], &[]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("--model-dir (SMART_TAGS_MODEL_DIR) and --ort-lib"), "{}", stderr(&output));
}

#[test]
fn a_bad_file_is_refused_with_the_problem_named() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("service.toml");
    for (text, problem) in [
        ("data_dirr = \"x\"\n", "unknown field `data_dirr`"),
        ("admin_token = \"0123456789abcdef0123\"\n", "secrets are not read from the config file (admin_token)"),
        ("threads = \"many\"\n", "invalid type"),
    ] {
        std::fs::write(&config, text).unwrap();
        let output = service(&["--config", config.to_str().unwrap(), "token-key", "rotate"], &[]);
        assert!(!output.status.success(), "{text}");
        let message = stderr(&output);
        assert!(message.contains(problem) && message.contains("service.toml"), "{text}: {message}");
        assert!(!message.contains("0123456789abcdef0123"), "the secret is not echoed: {message}");
    }
    let missing = service(&["--config", "/nonexistent/service.toml", "token-key", "rotate"], &[]);
    assert!(stderr(&missing).contains("cannot read the config file /nonexistent/service.toml"), "{}", stderr(&missing));
}
