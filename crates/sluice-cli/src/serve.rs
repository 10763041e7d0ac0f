//! `sluice serve`: configuration from flags and `SLUICE_*` variables,
//! wiring of store → app → server, and graceful shutdown.

use anyhow::{Context, bail};
use sluice_app::{App, AppConfig, SecretBox};
use sluice_server::AppState;
use sluice_store::Store;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SLUICE_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Directory for Sluice's state: the embedded metadata store and the secret key.
    #[arg(long, env = "SLUICE_DATA_DIR", default_value = "./sluice-data")]
    data_dir: PathBuf,
    /// Keep the metadata store on PostgreSQL (postgres://…) instead of embedded SQLite.
    #[arg(long, env = "SLUICE_METADATA_URL")]
    metadata_url: Option<String>,
    /// Base64 32-byte key sealing instance passwords; by default one is
    /// generated into the data directory (mode 0600).
    #[arg(long, env = "SLUICE_SECRET_KEY", hide_env_values = true)]
    secret_key: Option<String>,
    /// How long a login session lasts, in hours.
    #[arg(long, env = "SLUICE_SESSION_HOURS", default_value_t = 168)]
    session_hours: u64,
    /// Mark session cookies Secure (when Sluice is served over HTTPS).
    #[arg(long, env = "SLUICE_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Tasks this server executes at once.
    #[arg(long, env = "SLUICE_MAX_PARALLEL_TASKS", default_value_t = 32)]
    max_parallel_tasks: usize,
    /// Tasks this server executes at once on one instance.
    #[arg(long, env = "SLUICE_MAX_TASKS_PER_INSTANCE", default_value_t = 16)]
    max_tasks_per_instance: usize,
    /// Seconds a task's claim holds without renewal: after a crash, its
    /// tasks are resolved from the targets' history once this has passed.
    #[arg(long, env = "SLUICE_TASK_LEASE_SECS", default_value_t = 30)]
    task_lease_secs: u64,
    /// Log format: text or json.
    #[arg(long, env = "SLUICE_LOG_FORMAT", default_value = "text")]
    log_format: String,
}

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    init_logging(&args.log_format)?;
    if args.session_hours == 0 {
        bail!("--session-hours must be at least 1");
    }
    if args.max_parallel_tasks == 0 || args.max_tasks_per_instance == 0 {
        bail!("--max-parallel-tasks and --max-tasks-per-instance must be at least 1");
    }
    if args.task_lease_secs < 3 {
        bail!("--task-lease-secs must be at least 3");
    }
    std::fs::create_dir_all(&args.data_dir)
        .with_context(|| format!("cannot create data directory {}", args.data_dir.display()))?;
    let store = match &args.metadata_url {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Store::open_postgres(url)
                .await
                .context("cannot open the PostgreSQL metadata store")?
        }
        Some(_) => bail!("--metadata-url must be a postgres:// URL"),
        None => {
            let path = args.data_dir.join("sluice.db");
            Store::open_sqlite(&path)
                .await
                .with_context(|| format!("cannot open the metadata store {}", path.display()))?
        }
    };
    let secrets = match &args.secret_key {
        Some(key) => SecretBox::from_base64(key)
            .map_err(anyhow::Error::msg)
            .context("SLUICE_SECRET_KEY")?,
        None => load_or_create_key(&args.data_dir)?,
    };
    let config = AppConfig {
        session_ttl: Duration::from_secs(args.session_hours * 3600),
    };
    let app = App::new(store.clone(), secrets, config);
    let app_for_sync = app.clone();
    let state = AppState::new(app, args.secure_cookies);
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, store = store.backend_name(), "sluice is serving");
    println!("Sluice is running at http://{addr}/");
    let _ = std::io::stdout().flush();
    spawn_session_sweeper(store.clone());
    let runner = sluice_runner::Runner::new(
        app_for_sync.clone(),
        sluice_runner::RunnerConfig {
            lease: Duration::from_secs(args.task_lease_secs),
            max_parallel: args.max_parallel_tasks,
            max_per_instance: args.max_tasks_per_instance,
            ..Default::default()
        },
    );
    tracing::info!(worker = %runner.config().worker, "task runner started");
    runner.spawn();
    spawn_background_sync(app_for_sync);
    sluice_server::serve(listener, state, shutdown_signal())
        .await
        .context("server failed")?;
    store.close().await;
    tracing::info!("sluice stopped");
    Ok(())
}

fn init_logging(format: &str) -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SLUICE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        "json" => builder.json().init(),
        "text" => builder.init(),
        other => bail!("--log-format must be text or json, not {other:?}"),
    }
    Ok(())
}

/// The secret key file, created once with mode 0600.
fn load_or_create_key(data_dir: &Path) -> anyhow::Result<SecretBox> {
    let path = data_dir.join("secret.key");
    if path.exists() {
        let key = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        return SecretBox::from_base64(&key)
            .map_err(anyhow::Error::msg)
            .with_context(|| format!("bad key in {}", path.display()));
    }
    let key = SecretBox::generate_key();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(&path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(key.as_bytes())?;
    tracing::info!(path = %path.display(), "generated a new secret key: back it up with the data directory");
    SecretBox::from_base64(&key).map_err(anyhow::Error::msg)
}

/// Forget expired sessions every hour.
fn spawn_session_sweeper(store: Store) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Err(err) = store.delete_expired_tokens().await {
                tracing::warn!(%err, "cannot sweep expired sessions");
            }
        }
    });
}

/// Look for instances due for a sync every 30 seconds; each instance has
/// its own interval (10 minutes unless changed).
fn spawn_background_sync(app: App) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(30));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(err) = app.sync_due().await {
                tracing::warn!(%err, "background sync round failed");
            }
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
