//! `backend-key add NAME [--file F]`: makes a random back-end API key `stbk_...`, prints it once,
//! and appends `NAME sha256:<hex>` to the keys file (default `<data-dir>/backend-keys`, created
//! 0600). A running proxy reads the file at start: restart it to let the new key in.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{anyhow, bail, Context};
use clap::Args;
use smart_tags_proxy::backend::keys::{new_key, valid_name, BackendKeys};

#[derive(Debug, Args)]
pub(crate) struct AddArgs {
    /// The key's name (the DAM back end it is for): letters, digits, '.', '_', '-'.
    name: String,
    /// The keys file [default: --backend-keys, or <data-dir>/backend-keys].
    #[arg(long)]
    file: Option<PathBuf>,
}

pub(crate) fn run(default_file: PathBuf, args: AddArgs) -> anyhow::Result<()> {
    if !valid_name(&args.name) {
        bail!("the key name must be 1 to 64 letters, digits, '.', '_' or '-'");
    }
    let file = args.file.unwrap_or(default_file);
    let existing = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("cannot read the back-end keys file {}", file.display())),
    };
    let keys = BackendKeys::parse(&existing)
        .map_err(|p| anyhow!("the back-end keys file {} is invalid:\n  {}", file.display(), p.join("\n  ")))?;
    if keys.contains(&args.name) {
        bail!("a back-end key named {} is already in {}: remove its line to replace it", args.name, file.display());
    }
    let (key, line) = new_key(&args.name).map_err(|e| anyhow!(e))?;
    if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut out =
        options.open(&file).with_context(|| format!("cannot write the back-end keys file {}", file.display()))?;
    let separator = if existing.is_empty() || existing.ends_with('\n') { "" } else { "\n" };
    writeln!(out, "{separator}{line}")
        .with_context(|| format!("cannot write the back-end keys file {}", file.display()))?;
    eprintln!("added back-end key {} to {} (shown once; restart the proxy to use it):", args.name, file.display());
    println!("{key}");
    Ok(())
}
