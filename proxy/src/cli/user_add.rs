//! `user add NAME`: adds a user of the standalone upload page to the page users file
//! (`--page-users-file` / `SMART_TAGS_PAGE_USERS_FILE`). The password comes from stdin, never
//! from a flag (a flag would show in the process list and the shell history): typed at a prompt
//! without echo on a terminal, or piped (`printf '%s\n' "$PASSWORD" | smart-tags-proxy user add
//! alice`). A running proxy reads the file at start: restart it to let the new user in.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{anyhow, bail, Context};
use clap::Args;
use smart_tags_proxy::client_auth::session::{user_line, PageUsers};

#[derive(Debug, Args)]
pub(crate) struct AddArgs {
    /// The user's name: letters, digits, '.', '_', '-' or '@'.
    name: String,
}

pub(crate) fn run(file: Option<PathBuf>, args: AddArgs) -> anyhow::Result<()> {
    let file = file.ok_or_else(|| anyhow!("set --page-users-file or SMART_TAGS_PAGE_USERS_FILE to the users file"))?;
    let existing = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("cannot read the page users file {}", file.display())),
    };
    if existing.trim().lines().any(|l| !l.trim().is_empty() && !l.trim().starts_with('#')) {
        let users = PageUsers::parse(&existing)
            .map_err(|p| anyhow!("the page users file {} is invalid:\n  {}", file.display(), p.join("\n  ")))?;
        if users.contains(&args.name) {
            bail!("user {} already exists in {}: remove its line to set a new password", args.name, file.display());
        }
    }
    let password = read_password()?;
    let line = user_line(&args.name, &password).map_err(|e| anyhow!(e))?;
    append(&file, &existing, &line)?;
    println!("added user {} to {} (restart the proxy to let them sign in)", args.name, file.display());
    Ok(())
}

/// The password: one line of stdin, prompted twice without echo on a terminal.
fn read_password() -> anyhow::Result<String> {
    if !std::io::stdin().is_terminal() {
        return read_line();
    }
    let first = prompt("password: ")?;
    let second = prompt("again: ")?;
    if first != second {
        bail!("the passwords differ");
    }
    Ok(first)
}

fn prompt(text: &str) -> anyhow::Result<String> {
    eprint!("{text}");
    std::io::stderr().flush()?;
    // Best effort: without stty the password is echoed, but still never a flag.
    let hidden = Command::new("stty").arg("-echo").status().is_ok_and(|s| s.success());
    let line = read_line();
    if hidden {
        let _ = Command::new("stty").arg("echo").status();
    }
    eprintln!();
    line
}

fn read_line() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("cannot read the password from stdin")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// Appends `line`, on a line of its own; a new file is readable by its owner only.
fn append(file: &Path, existing: &str, line: &str) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut out = options.open(file).with_context(|| format!("cannot write the page users file {}", file.display()))?;
    let separator = if existing.is_empty() || existing.ends_with('\n') { "" } else { "\n" };
    writeln!(out, "{separator}{line}")
        .with_context(|| format!("cannot write the page users file {}", file.display()))?;
    Ok(())
}
