//! `serve`, `demo` and `migrate`: load settings, open the store, run.
use crate::ServerArgs;
use anyhow::Context;
use flipside_store::Store;
use flipside_web::settings::{LogFormat, Settings};
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Serve,
    Demo,
    Migrate,
}

/// Settings from the file and environment, then the command line on top.
pub fn load_settings(args: &ServerArgs) -> anyhow::Result<Settings> {
    load_settings_from(args, std::env::vars())
}

fn load_settings_from(
    args: &ServerArgs,
    env: impl IntoIterator<Item = (String, String)>,
) -> anyhow::Result<Settings> {
    let mut settings = Settings::load(args.config.as_deref(), env)?;
    if let Some(listen) = &args.listen {
        // `public_url` follows the listen address only while it is the default made from it:
        // one set in the file or the environment is where people reach flipside (behind a
        // proxy, say), whatever address it listens on.
        let derived = settings.public_url.as_str() == format!("http://{}/", settings.listen);
        settings.listen = listen.parse().map_err(|_| {
            anyhow::anyhow!("setting --listen: '{listen}' is not an address such as 127.0.0.1:8080")
        })?;
        if derived {
            settings.public_url = url::Url::parse(&format!("http://{}/", settings.listen))?;
        }
    }
    if let Some(dir) = &args.data_dir {
        settings.data_dir = dir.clone();
    }
    Ok(settings)
}

pub async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    let store = Store::open(
        settings.database_url.as_ref().map(|s| s.0.as_str()),
        &settings.data_dir,
    )
    .await
    .with_context(|| match &settings.database_url {
        Some(_) => "connecting to PostgreSQL (DATABASE_URL)".to_string(),
        None => format!(
            "opening the SQLite database in {}",
            settings.data_dir.display()
        ),
    })?;
    Ok(store)
}

/// Runs a one-shot command's work on a single-threaded runtime; an error is printed as
/// "flipside WHAT: …" with its causes, and the process fails.
pub fn block_on(what: &str, f: impl std::future::Future<Output = anyhow::Result<()>>) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("flipside: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(f) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("flipside {what}: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

pub fn run(mode: Mode, args: ServerArgs) -> ExitCode {
    let settings = match load_settings(&args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("flipside: {e:#}");
            return ExitCode::from(2);
        }
    };
    init_logging(settings.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("flipside: starting the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run_async(mode, settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("flipside: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run_async(mode: Mode, mut settings: Settings) -> anyhow::Result<()> {
    if mode == Mode::Demo {
        // The demo runs on this machine: its webhooks may go to a receiver beside it.
        settings.webhooks.allow_private_targets = true;
    }
    let store = open_store(&settings).await?;
    store
        .migrate()
        .await
        .context("applying database migrations")?;
    if mode == Mode::Migrate {
        println!("Migrations applied ({:?}).", store.backend());
        return Ok(());
    }
    let demo_accounts = if mode == Mode::Demo {
        Some(
            flipside_web::demo::ensure(&store)
                .await
                .context("creating the demo organisation")?,
        )
    } else {
        None
    };
    if store.organisation().await?.is_none() {
        store
            .ensure_organisation("Your organisation", "org")
            .await?;
    }
    let app = flipside_web::Application::build(settings, store).await?;
    let addr = app.local_addr();
    println!("flipside is listening on http://{addr}/");
    if let Some(accounts) = demo_accounts {
        println!("{accounts}");
    }
    tracing::info!(%addr, "listening");
    app.run_until(flipside_web::app::shutdown_signal()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(listen: &str, config: Option<std::path::PathBuf>) -> ServerArgs {
        ServerArgs {
            listen: Some(listen.to_string()),
            data_dir: None,
            config,
        }
    }

    #[test]
    fn listen_on_the_command_line_keeps_a_public_url_set_in_the_file_or_the_environment() {
        let dir = std::env::temp_dir().join(format!("flipside-listen-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("flipside.toml");
        std::fs::write(&file, "public_url = \"https://flipside.example.ac.uk/\"\n").unwrap();
        let s = load_settings_from(&args("0.0.0.0:8080", Some(file)), Vec::new()).unwrap();
        assert_eq!(s.listen.to_string(), "0.0.0.0:8080");
        assert_eq!(s.public_url.as_str(), "https://flipside.example.ac.uk/");
        let env = vec![(
            "FLIPSIDE_PUBLIC_URL".to_string(),
            "https://tutoring.example.ac.uk/".to_string(),
        )];
        let s = load_settings_from(&args("127.0.0.1:9000", None), env).unwrap();
        assert_eq!(s.public_url.as_str(), "https://tutoring.example.ac.uk/");
        // Without one, it follows the address.
        let s = load_settings_from(&args("127.0.0.1:9000", None), Vec::new()).unwrap();
        assert_eq!(s.public_url.as_str(), "http://127.0.0.1:9000/");
        let _ = std::fs::remove_dir_all(dir);
    }
}
