//! Run with `cargo run --release -p smart_tags_service -- --help`. Serving needs the model;
//! the `integration ...` commands work on the data directory alone (no model loaded).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context};
use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches, Parser};
use smart_tags_service::auth::issuing::{Registration, CERTIFICATE_TOKEN_PREFIX};
use smart_tags_service::auth::{AuthConfig, AuthServer};
use smart_tags_service::config_file::ServiceFile;
use smart_tags_service::detectors::{Detectors, DetectorsConfig, TextReader};
use smart_tags_service::engine::{Engine, EngineConfig};
use smart_tags_service::linker::relink;
use smart_tags_service::routes::taxonomy::{parse_taxonomy, TaxonomyFormat};
use smart_tags_service::scenes::SceneModel;
use smart_tags_service::store::{ImportMode, ImportSummary, Store};
use smart_tags_service::tagger::{Tagger, TaggerConfig};
use smart_tags_service::text_engine::TextEngineConfig;
use smart_tags_service::training::import::{import, Upload, UploadedFile};
use smart_tags_service::AppState;

/// The Smart Tags tagging service.
#[derive(Debug, Parser)]
#[command(
    version,
    after_help = "Environment only: SMART_TAGS_LOG_FORMAT=json (one JSON object per log line; text by default), RUST_LOG (the log filter, default info)."
)]
struct Cli {
    /// Address to listen on. Any address with authentication on; loopback only with --open.
    #[arg(long, env = "SMART_TAGS_SERVICE_LISTEN", default_value = "127.0.0.1:7701")]
    listen: SocketAddr,
    /// Open mode: no access token is checked (the local demo, tests). Loopback only.
    #[arg(long)]
    open: bool,
    /// The authorization server's public URL: the issuer of access tokens and the prefix of the
    /// JWT audience and metascopes (default `http://<listen>`). Integrations are bound to it.
    #[arg(long, env = "SMART_TAGS_PUBLIC_URL", global = true)]
    public_url: Option<String>,
    /// File holding the console's admin token (at least 16 characters). Without it the console
    /// routes are off.
    #[arg(long, env = "SMART_TAGS_SERVICE_ADMIN_TOKEN_FILE")]
    admin_token_file: Option<PathBuf>,
    /// Clock skew tolerated on a JWT's exp, iat and nbf.
    #[arg(long, env = "SMART_TAGS_JWT_LEEWAY_SECONDS", default_value_t = smart_tags_service::auth::server::DEFAULT_LEEWAY_SECONDS)]
    jwt_leeway_seconds: i64,
    /// Lifetime of the access tokens issued.
    #[arg(long, env = "SMART_TAGS_ACCESS_TOKEN_SECONDS", default_value_t = smart_tags_service::auth::server::DEFAULT_ACCESS_TOKEN_SECONDS)]
    access_token_seconds: i64,
    /// Folder with model.onnx, imagenet_synsets.txt and imagenet_labels.txt (needed to serve and
    /// to import examples).
    #[arg(long, env = "SMART_TAGS_MODEL_DIR")]
    model_dir: Option<PathBuf>,
    /// Path of libonnxruntime.so (scripts/setup.sh installs one; needed to serve and to import
    /// examples).
    #[arg(long, env = "ORT_DYLIB_PATH")]
    ort_lib: Option<PathBuf>,
    /// Folder of the service's data: the SQLite database `smart-tags.sqlite3` (taxonomy, concept
    /// links, assets, settings). Created when missing; relative to the working directory.
    #[arg(long, env = "SMART_TAGS_DATA_DIR", default_value = "./data")]
    data_dir: PathBuf,
    /// Folder with WordNet's data.noun and noun.exc (default: `wordnet` beside the model folder).
    #[arg(long, env = "SMART_TAGS_WORDNET_DIR")]
    wordnet_dir: Option<PathBuf>,
    /// Folder holding the detector models' folders `blazeface-full-range/` and
    /// `ssd-mobilenetv2-oidv4/` (default: the folder above the model folder).
    #[arg(long, env = "SMART_TAGS_DETECTORS_DIR")]
    detectors_dir: Option<PathBuf>,
    /// The built-in scene model file (default: `scenes/scene-model.stm` beside the model folder,
    /// written by scripts/setup-scenes.sh). Without it pictures get no scene tags.
    #[arg(long, env = "SMART_TAGS_SCENE_MODEL")]
    scene_model: Option<PathBuf>,
    /// Folder with the MiniLM text model (default: `minilm-l6-v2` beside the model folder).
    #[arg(long, env = "SMART_TAGS_TEXT_MODEL_DIR")]
    text_model_dir: Option<PathBuf>,
    /// A taxonomy file (`.ttl` SKOS, `.csv` or `.json`) imported at start-up when the store has no
    /// taxonomy yet (e.g. `taxonomies/demo.ttl`).
    #[arg(long, env = "SMART_TAGS_SEED_TAXONOMY")]
    seed_taxonomy: Option<PathBuf>,
    /// A workflow definition (JSON, or TOML for a `.toml` file; every option is documented in
    /// `workflow.example.toml`) that replaces the stored one at start-up (actor `config`).
    #[arg(long, env = "SMART_TAGS_WORKFLOW")]
    workflow: Option<PathBuf>,
    /// Sensitive concepts to show as generic tags after all, as WordNet ids, comma-separated
    /// (e.g. `n04565375` for "weapon"; the list and reasons: ARCHITECTURE.md, generic tags).
    #[arg(long, env = "SMART_TAGS_GENERIC_ALLOW", value_delimiter = ',')]
    generic_allow: Vec<String>,
    /// More concepts never shown as generic tags, as WordNet ids, comma-separated (they stay
    /// linkable to taxonomy tags).
    #[arg(long, env = "SMART_TAGS_GENERIC_DENY", value_delimiter = ',')]
    generic_deny: Vec<String>,
    /// Threads per inference (default: all cores).
    #[arg(long, env = "SMART_TAGS_THREADS")]
    threads: Option<usize>,
    /// A TOML file of these settings under the flags' names (`service.example.toml` lists them); a
    /// flag or its environment variable wins over the file.
    #[arg(long, env = "SMART_TAGS_SERVICE_CONFIG", global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

impl Cli {
    /// Parses the command line, then fills every setting left to its default from `--config`.
    fn with_config_file() -> anyhow::Result<Cli> {
        let matches = Cli::command().get_matches();
        let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
        let Some(path) = cli.config.clone() else { return Ok(cli) };
        let file = ServiceFile::read(&path)?;
        // Set on the command line or in the environment: the file does not override it.
        let given =
            |id: &str| matches!(matches.value_source(id), Some(ValueSource::CommandLine | ValueSource::EnvVariable));
        macro_rules! from_file {
            ($($name:ident),* $(,)?) => {$(
                if let Some(value) = file.$name {
                    if !given(stringify!($name)) {
                        cli.$name = value.into();
                    }
                }
            )*};
        }
        from_file!(
            listen,
            open,
            public_url,
            admin_token_file,
            jwt_leeway_seconds,
            access_token_seconds,
            model_dir,
            ort_lib,
            data_dir,
            wordnet_dir,
            detectors_dir,
            scene_model,
            text_model_dir,
            seed_taxonomy,
            workflow,
            generic_allow,
            generic_deny,
            threads,
        );
        Ok(cli)
    }
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Imports training examples from a folder (one sub-folder per tag, or files plus
    /// manifest.csv / manifest.json at its root) into the store of --data-dir, prints the report
    /// as JSON and exits. Safe while the service runs on the same data directory.
    ImportExamples {
        /// The folder to import.
        folder: PathBuf,
        /// Import nothing when any file is refused.
        #[arg(long)]
        strict: bool,
    },
    /// Trains the built-in scene model from hand-labelled photos (tests/eval/scenes/labels.csv)
    /// and writes it (scripts/setup-scenes.sh runs this; the same photos, labels and image model
    /// give the same bytes). Prints the per-scene report as JSON.
    TrainScenes {
        /// The labels CSV (`photo,scenes,kind,group,notes`).
        #[arg(long)]
        labels: Vec<PathBuf>,
        /// The folder the labels' photo paths are relative to (the fixtures cache).
        #[arg(long)]
        photos: PathBuf,
        /// The model file to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Manages the integrations of the authorization server in the store of --data-dir (no
    /// model loaded; safe while the service runs on the same data directory). Prints JSON.
    Integration {
        #[command(subcommand)]
        command: IntegrationCommand,
    },
    /// Manages the access-token signing keys in `<data-dir>/token-keys.json` (0600; safe while
    /// the service runs on the same data directory). Prints JSON.
    TokenKey {
        #[command(subcommand)]
        command: TokenKeyCommand,
    },
}

#[derive(Debug, clap::Subcommand)]
enum TokenKeyCommand {
    /// Makes a new signing key. The older keys keep verifying for a day after their successor
    /// was made (the longest access-token lifetime), then a later rotation drops them.
    Rotate,
}

#[derive(Debug, clap::Subcommand)]
enum IntegrationCommand {
    /// Registers an integration — a JWT one from the proxy's certificate, or with --oauth an
    /// OAuth server-to-server one (the client-credentials grant, no certificate); prints its
    /// client id, client secret (shown this once), org id, technical account id and, for a JWT
    /// one, the JWT payload. An integration gets tokens with its own grant only.
    Create {
        #[arg(long)]
        name: String,
        /// The proxy's certificate (PEM), from `smart-tags-proxy cert download`.
        #[arg(long, required_unless_present = "oauth", conflicts_with = "oauth")]
        certificate: Option<PathBuf>,
        /// An OAuth server-to-server integration (SMART_TAGS_AUTH_GRANT=client_credentials).
        #[arg(long)]
        oauth: bool,
        /// smart_tags or smart_tags_admin, repeatable (default: both).
        #[arg(long = "scope")]
        scopes: Vec<String>,
    },
    /// Lists every integration.
    List,
    /// Shows one integration.
    Show { client_id: String },
    /// Adds a certificate beside the others.
    AddCertificate { client_id: String, certificate: PathBuf },
    /// Removes a certificate (never the last one).
    RemoveCertificate { client_id: String, certificate_id: String },
    /// Makes a new client secret (printed this once); the previous ones keep working for the
    /// overlap.
    RotateSecret {
        client_id: String,
        #[arg(long)]
        overlap_seconds: Option<i64>,
    },
    /// Revokes an integration: its access tokens stop working at once.
    Revoke { client_id: String },
    /// Makes the integration's certificate token (printed this once; the one before stops
    /// working): it opens only this integration's certificates in the console (show, add,
    /// remove), what the proxy needs to rotate its key (its --console-token-file), instead of
    /// the console's admin token.
    CertificateToken { client_id: String },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::with_config_file()?;
    // The log goes to stderr: stdout is the commands' JSON answers.
    smart_tags_telemetry::init_logging().map_err(|e| anyhow::anyhow!(e))?;
    let store = Arc::new(
        smart_tags_service::open_store(&cli.data_dir)
            .with_context(|| format!("cannot open the store in {}", cli.data_dir.display()))?,
    );
    if let Some(Command::Integration { command }) = &cli.command {
        let auth = AuthServer::new(Arc::clone(&store), auth_config(&cli, None))?;
        return integration(&auth, command);
    }
    if let Some(Command::TokenKey { command: TokenKeyCommand::Rotate }) = &cli.command {
        let auth = AuthServer::new(Arc::clone(&store), auth_config(&cli, None))?;
        println!("{}", serde_json::to_string_pretty(&auth.rotate_token_key()?)?);
        return Ok(());
    }
    if let Some(path) = &cli.workflow {
        let workflow = smart_tags_service::workflow_file::read(path)?;
        let stored = store.set_workflow(&workflow, "config")?;
        tracing::info!(file = %path.display(), version = stored.version, "the workflow of the config file is in force");
    }
    let auth = if cli.open {
        if !cli.listen.ip().is_loopback() {
            bail!("refusing to listen on {} in open mode: --open turns access tokens off, so it is allowed on loopback only (drop --open to listen elsewhere with authentication on)", cli.listen);
        }
        if cli.admin_token_file.is_some() {
            tracing::warn!("--admin-token-file is ignored in open mode: the console is off");
        }
        None
    } else {
        let admin_token = match &cli.admin_token_file {
            Some(path) => Some(
                std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read the admin token file {}", path.display()))?
                    .trim()
                    .to_owned(),
            ),
            None => None,
        };
        if admin_token.as_deref().is_some_and(|t| t.starts_with(CERTIFICATE_TOKEN_PREFIX)) {
            bail!("the admin token must not start with {CERTIFICATE_TOKEN_PREFIX}: that is how certificate tokens begin, and such a token would be read as one");
        }
        if cli.public_url.is_none() && cli.listen.ip().is_unspecified() {
            tracing::warn!(listen = %cli.listen, "no --public-url: integrations are bound to http://{}; set --public-url to the address clients use", cli.listen);
        }
        Some(Arc::new(AuthServer::new(Arc::clone(&store), auth_config(&cli, admin_token))?))
    };
    let (Some(model_dir), Some(ort_lib)) = (cli.model_dir.clone(), cli.ort_lib.clone()) else {
        bail!("--model-dir (SMART_TAGS_MODEL_DIR) and --ort-lib (ORT_DYLIB_PATH) are needed to serve and to import examples");
    };
    let threads = cli.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let sibling = |name: &str| model_dir.parent().map_or_else(|| PathBuf::from(name), |p| p.join(name));
    let tagger_config = TaggerConfig {
        wordnet_dir: cli.wordnet_dir.clone().unwrap_or_else(|| sibling("wordnet")),
        text: TextEngineConfig {
            model_dir: cli.text_model_dir.clone().unwrap_or_else(|| sibling("minilm-l6-v2")),
            runtime_library: ort_lib.clone(),
            threads,
        },
        generic_allow: cli.generic_allow.clone(),
        generic_deny: cli.generic_deny.clone(),
    };
    let ort_lib_for_detectors = ort_lib.clone();
    let detectors_dir = cli.detectors_dir.clone().unwrap_or_else(|| sibling(""));
    let scene_model_file =
        cli.scene_model.clone().unwrap_or_else(|| sibling(smart_tags_service::scenes::SCENE_MODEL_FILE));
    let engine = Engine::load(&EngineConfig { model_dir, runtime_library: ort_lib, threads })?;
    if let Some(Command::TrainScenes { labels, photos, out }) = &cli.command {
        let report = smart_tags_service::scene_training::train_and_write(&engine, labels, photos, out, threads)?;
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    if let Some(Command::ImportExamples { folder, strict }) = &cli.command {
        let upload = read_folder(folder)?;
        let taxonomy = store.taxonomy()?;
        let report = import(&store, &engine, &taxonomy, &upload, *strict)?;
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    let interrupted = store.fail_interrupted_jobs()?;
    if interrupted > 0 {
        tracing::warn!(jobs = interrupted, "marked training jobs interrupted by the last stop as failed");
    }
    let class_wnids: Vec<String> =
        (0..smart_tags_service::engine::CLASSES).map(|i| engine.labels().wnid(i).to_owned()).collect();
    let tagger = Arc::new(Tagger::load(&tagger_config, &class_wnids)?);
    if let Some(seed) = &cli.seed_taxonomy {
        if store.taxonomy_version()? == 0 {
            let summary = seed_taxonomy(&store, seed)?;
            tracing::info!(file = %seed.display(), tags = summary.added, "imported the seed taxonomy");
        }
    }
    if !store.taxonomy()?.is_empty() {
        let summary = relink(&store, &tagger)?;
        tracing::info!(?summary, "linked the taxonomy to concepts");
    } else {
        // Warm the concept embeddings so the first import links quickly.
        let warm = Arc::clone(&tagger);
        std::thread::spawn(move || {
            if let Err(e) = warm.warm_up() {
                tracing::warn!(error = %e, "cannot embed the concepts");
            }
        });
    }
    let listener =
        tokio::net::TcpListener::bind(cli.listen).await.with_context(|| format!("cannot listen on {}", cli.listen))?;
    match &auth {
        Some(auth) => {
            tracing::info!(issuer = %auth.config().issuer, console = auth.config().admin_token.is_some(), "authentication on: every /v1 route needs an access token")
        }
        None => tracing::warn!("open mode: no access token is checked"),
    }
    tracing::info!(address = %listener.local_addr()?, model = engine.version(), data_dir = %cli.data_dir.display(), "tagging service ready");
    let engine_version = engine.version().to_owned();
    let engine_version = engine_version.as_str();
    let mut state = AppState::with_tagger(Arc::new(engine), store, tagger);
    let detectors_config =
        DetectorsConfig { models_dir: detectors_dir, runtime_library: ort_lib_for_detectors, threads };
    match Detectors::load(&detectors_config) {
        Ok(detectors) => {
            tracing::info!(version = %detectors.version(), "face and person detectors loaded");
            state = state.with_detectors(Arc::new(detectors));
        }
        Err(e) => tracing::warn!(error = %e, "no face and person detectors: pictures get no people tags"),
    }
    match TextReader::load(&detectors_config) {
        Ok(reader) => state = state.with_text_reader(Arc::new(reader)),
        Err(e) => tracing::warn!(error = %e, "no text detector: no words are read in pictures"),
    }
    match SceneModel::load(&scene_model_file, engine_version) {
        Ok(scenes) => {
            tracing::info!(version = %scenes.version, scenes = scenes.model.tags.len(), "built-in scene model loaded");
            state = state.with_scenes(Arc::new(scenes));
        }
        Err(e) => {
            tracing::warn!(error = %e, file = %scene_model_file.display(), "no scene model: pictures get no scene tags (run scripts/setup-scenes.sh)")
        }
    }
    if let Some(auth) = auth {
        state = state.with_auth(auth);
    }
    let state = Arc::new(state);
    // Stored predictions behind the active tag models (a pass a stopped process left) catch up.
    smart_tags_service::training::apply::wake(&state);
    smart_tags_service::training::apply::watch(&state);
    // The search index follows the thresholds (and, after an upgrade, indexes what is stored).
    smart_tags_service::search_catch_up::spawn(Arc::clone(&state.store));
    // The similarity index is loaded or rebuilt from the store while the service already answers.
    let warm = Arc::clone(&state);
    std::thread::spawn(move || {
        if let Err(e) = warm.similar.ensure(&warm.store, warm.engine.version()) {
            tracing::warn!(error = %e, "cannot build the similarity index");
        }
    });
    smart_tags_service::run(listener, Arc::clone(&state), shutdown_signal()).await?;
    // Saved, so the next start loads it instead of reading every embedding again.
    state.similar.save();
    Ok(())
}

/// Ctrl-C or SIGTERM (what `kill` and service managers send).
async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
}

/// The authorization server's settings from the flags.
fn auth_config(cli: &Cli, admin_token: Option<String>) -> AuthConfig {
    let issuer = cli.public_url.clone().unwrap_or_else(|| format!("http://{}", cli.listen));
    AuthConfig {
        leeway_seconds: cli.jwt_leeway_seconds,
        access_token_seconds: cli.access_token_seconds,
        admin_token,
        ..AuthConfig::new(&issuer)
    }
}

/// Runs an `integration ...` command and prints its answer as JSON.
fn integration(auth: &AuthServer, command: &IntegrationCommand) -> anyhow::Result<()> {
    let read = |path: &PathBuf| {
        std::fs::read_to_string(path).with_context(|| format!("cannot read the certificate {}", path.display()))
    };
    let answer = match command {
        IntegrationCommand::Create { name, certificate, oauth: _, scopes } => {
            let pem = certificate.as_ref().map(read).transpose()?;
            let registration = Registration { name, certificate_pem: pem.as_deref(), scopes: Some(scopes) };
            serde_json::to_value(auth.register(&registration)?)?
        }
        IntegrationCommand::List => serde_json::json!({ "integrations": auth.integrations()? }),
        IntegrationCommand::Show { client_id } => serde_json::to_value(auth.integration(client_id)?)?,
        IntegrationCommand::AddCertificate { client_id, certificate } => {
            serde_json::to_value(auth.add_certificate(client_id, &read(certificate)?)?)?
        }
        IntegrationCommand::RemoveCertificate { client_id, certificate_id } => {
            serde_json::to_value(auth.remove_certificate(client_id, certificate_id)?)?
        }
        IntegrationCommand::RotateSecret { client_id, overlap_seconds } => {
            serde_json::to_value(auth.rotate_secret(client_id, *overlap_seconds)?)?
        }
        IntegrationCommand::Revoke { client_id } => serde_json::to_value(auth.revoke(client_id)?)?,
        IntegrationCommand::CertificateToken { client_id } => serde_json::json!({
            "client_id": client_id,
            "certificate_token": auth.new_certificate_token(client_id)?,
        }),
    };
    println!("{}", serde_json::to_string_pretty(&answer)?);
    Ok(())
}

/// Reads every file below `folder` (hidden ones aside) as an upload; `manifest.csv` or
/// `manifest.json` at its root is the manifest.
fn read_folder(folder: &std::path::Path) -> anyhow::Result<Upload> {
    let mut upload = Upload::default();
    let mut stack = vec![folder.to_owned()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).with_context(|| format!("cannot read the folder {}", dir.display()))?;
        for entry in entries {
            let path = entry?.path();
            let relative = path.strip_prefix(folder)?.to_string_lossy().replace('\\', "/");
            if relative.split('/').any(|part| part.starts_with('.')) {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            let file = UploadedFile { path: relative, bytes };
            if matches!(file.path.as_str(), "manifest.csv" | "manifest.json") {
                upload.manifest = Some(file);
            } else {
                upload.files.push(file);
            }
        }
    }
    upload.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(upload)
}

/// Imports a taxonomy file, its format chosen by extension.
fn seed_taxonomy(store: &Store, path: &std::path::Path) -> anyhow::Result<ImportSummary> {
    let format = match path.extension().and_then(|e| e.to_str()) {
        Some("ttl") => TaxonomyFormat::Skos,
        Some("csv") => TaxonomyFormat::Csv,
        Some("json") => TaxonomyFormat::Json,
        _ => bail!("the seed taxonomy {} must end in .ttl (SKOS), .csv or .json", path.display()),
    };
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read the seed taxonomy {}", path.display()))?;
    let taxonomy = parse_taxonomy(format, &text).map_err(|report| {
        let problems: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
        anyhow::anyhow!("the seed taxonomy {} is invalid:\n  {}", path.display(), problems.join("\n  "))
    })?;
    Ok(store.import_taxonomy(&taxonomy, ImportMode::Replace, "system:seed")?)
}
