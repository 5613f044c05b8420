//! `flipside person export` and `flipside retention`: a person's data and the retention rules
//! from the command line (issue 13), over the same store functions the pages use.
use crate::ServerArgs;
use crate::server::{block_on, load_settings, open_store};
use anyhow::Context;
use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct PersonArgs {
    #[command(subcommand)]
    command: PersonCommand,
}

#[derive(Debug, Subcommand)]
enum PersonCommand {
    /// Write everything held on one person to a JSON file.
    Export {
        #[command(flatten)]
        server: ServerArgs,
        /// The person's email address (any case).
        #[arg(long)]
        email: String,
        /// The JSON file to write.
        #[arg(long, value_name = "FILE.json")]
        out: PathBuf,
    },
}

#[derive(Debug, clap::Args)]
pub struct RetentionArgs {
    #[command(flatten)]
    server: ServerArgs,
    /// Print, per kind of data, what would be deleted and why; delete nothing.
    #[arg(long, conflicts_with = "apply", required_unless_present = "apply")]
    dry_run: bool,
    /// Delete what has outlived its retention period, and print what was deleted.
    #[arg(long)]
    apply: bool,
}

pub fn person(args: PersonArgs) -> ExitCode {
    block_on("person", person_async(args))
}

pub fn retention(args: RetentionArgs) -> ExitCode {
    block_on("retention", retention_async(args))
}

async fn person_async(args: PersonArgs) -> anyhow::Result<()> {
    match args.command {
        PersonCommand::Export { server, email, out } => {
            let settings = load_settings(&server)?;
            let store = open_store(&settings).await?;
            store.migrate().await?;
            let person = match store.privacy_person(email.trim()).await {
                Ok(p) => p,
                Err(flipside_store::StoreError::NotFound) => {
                    anyhow::bail!("--email: nobody has the email {email}")
                }
                Err(e) => return Err(e.into()),
            };
            let export = store.export_person(&person, chrono::Utc::now()).await?;
            let json = serde_json::to_string_pretty(&export)?;
            std::fs::write(&out, json)
                .with_context(|| format!("--out: cannot write {}", out.display()))?;
            let rows: usize = export
                .kinds
                .iter()
                .flat_map(|k| k.tables.values())
                .map(Vec::len)
                .sum();
            println!(
                "Wrote {} kinds of data ({rows} records) on {} to {}.",
                export.kinds.len(),
                person.email,
                out.display()
            );
        }
    }
    Ok(())
}

async fn retention_async(args: RetentionArgs) -> anyhow::Result<()> {
    let settings = load_settings(&args.server)?;
    let store = open_store(&settings).await?;
    store.migrate().await?;
    let now = chrono::Utc::now();
    let report = if args.apply {
        store.apply_retention(&settings.retention, now).await?
    } else {
        store.retention_dry_run(&settings.retention, now).await?
    };
    let verb = if report.dry_run {
        "would delete"
    } else {
        "deleted"
    };
    for o in &report.outcomes {
        println!(
            "{} ({}): {verb} {} rows: {}",
            o.kind.info().name,
            o.rule.key(),
            o.rows,
            o.why
        );
    }
    println!("total: {verb} {} rows", report.total());
    Ok(())
}
