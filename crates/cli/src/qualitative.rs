//! `flipside qualitative`: the qualitative side of a cycle's evaluation from the command line
//! (issue 11). `export` writes a cycle's reflective chats, codebook and coded excerpts as a
//! REFI-QDA project (`.qdpx`) that NVivo, ATLAS.ti, MAXQDA, QualCoder and Taguette open.
//! Participants appear in it by pseudonym only.
use crate::ServerArgs;
use crate::server::{load_settings, open_store};
use clap::Subcommand;
use flipside_store::NewAuditEntry;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct QualitativeArgs {
    #[command(subcommand)]
    command: QualitativeCommand,
}

#[derive(Debug, Subcommand)]
enum QualitativeCommand {
    /// Write a cycle's chats, codebook and coded excerpts as a REFI-QDA project (.qdpx);
    /// participants appear by pseudonym only, coders as "Coder 1", "Coder 2".
    Export {
        #[command(flatten)]
        server: ServerArgs,
        /// The cycle to export (its id, as in the cycle's address /cycles/ID).
        #[arg(long, value_name = "ID")]
        cycle: i64,
        /// The file to write, e.g. cycle-12.qdpx.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

pub fn run(args: QualitativeArgs) -> ExitCode {
    crate::server::block_on("qualitative", run_async(args))
}

async fn run_async(args: QualitativeArgs) -> anyhow::Result<()> {
    match args.command {
        QualitativeCommand::Export { server, cycle, out } => {
            let settings = load_settings(&server)?;
            let store = open_store(&settings).await?;
            store.migrate().await?;
            let (bytes, counts) = flipside_web::operations::qualitative::export_project(
                &store,
                cycle,
                settings.public_url.as_str(),
                chrono::Utc::now(),
            )
            .await?;
            std::fs::write(&out, &bytes)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
            let mut tx = store.begin().await?;
            tx.audit(NewAuditEntry {
                actor_id: None,
                action: "qualitative_exported",
                subject_kind: "cycle",
                subject_id: Some(cycle),
                detail: &format!(
                    "command line: {} chat(s), {} excerpt(s), {} code(s)",
                    counts.chats, counts.excerpts, counts.codes
                ),
                address: "cli",
            })
            .await?;
            tx.commit().await?;
            println!(
                "Wrote {} ({} chat(s), {} coded excerpt(s), {} code(s)).",
                out.display(),
                counts.chats,
                counts.excerpts,
                counts.codes
            );
            Ok(())
        }
    }
}
