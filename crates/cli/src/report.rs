//! `flipside report`: the annual report (SPEC §3.9) of one cycle, or of an academic year across
//! schemes, with the coordinator's saved text, written as HTML or PDF under the publication rule.
//! The data is gathered by `flipside_web::annual_report`, as for the report page.
use crate::ServerArgs;
use crate::server::{load_settings, open_store};
use anyhow::{Context, bail};
use flipside_core::annual_report::ReportScope;
use flipside_core::cycle::AcademicYear;
use flipside_report::Disclosure;
use flipside_web::annual_report;
use flipside_web::error::AppError;
use std::path::PathBuf;
use std::process::ExitCode;

/// What the report is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// An accessible HTML page, charts inline.
    Html,
    /// A typeset, tagged PDF.
    Pdf,
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("scope").required(true).args(["cycle", "year"])))]
pub struct ReportArgs {
    #[command(flatten)]
    server: ServerArgs,
    /// The cycle to report on (its id, as in /cycles/ID)
    #[arg(long, value_name = "ID")]
    cycle: Option<i64>,
    /// The academic year to report on across schemes, by the calendar year it starts in (2025
    /// for 2025/26)
    #[arg(long, value_name = "YYYY")]
    year: Option<i32>,
    /// html or pdf
    #[arg(long, value_enum)]
    format: Format,
    /// Where to write the report
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

pub fn run(args: ReportArgs) -> ExitCode {
    crate::server::block_on("report", run_async(args))
}

async fn run_async(args: ReportArgs) -> anyhow::Result<()> {
    let settings = load_settings(&args.server)?;
    let store = open_store(&settings).await?;
    store
        .migrate()
        .await
        .context("applying database migrations")?;
    let today = chrono::Utc::now().date_naive();
    let scope = match (args.cycle, args.year) {
        (Some(id), _) => ReportScope::Cycle(id),
        (None, Some(year)) => ReportScope::Year(AcademicYear::from_start_year(year)),
        (None, None) => bail!("say which cycle (--cycle ID) or year (--year YYYY)"),
    };
    let report = match annual_report::gather(&store, scope, Disclosure::publication(), today).await
    {
        Ok(gathered) => gathered.report,
        Err(AppError::NotFound) => match scope {
            ReportScope::Cycle(id) => bail!("there is no cycle {id}"),
            ReportScope::Year(year) => {
                bail!(
                    "no scheme has a cycle in the academic year {year} (or the organisation is not set up)"
                )
            }
        },
        Err(e) => return Err(e.into()),
    };
    let bytes = match args.format {
        Format::Html => flipside_report::html::render(&report)?.into_bytes(),
        #[cfg(feature = "pdf")]
        Format::Pdf => flipside_report::pdf::render(&report)?,
        #[cfg(not(feature = "pdf"))]
        Format::Pdf => bail!("this flipside was built without PDF support (feature `pdf`)"),
    };
    std::fs::write(&args.out, bytes).with_context(|| format!("writing {}", args.out.display()))?;
    Ok(())
}
