//! `flipside import`: an institution for personal tutoring from the student record system's
//! CSV exports (SPEC §3.10). Every file is checked completely first; on any problem nothing is
//! written and every problem is listed by file, line and column.
use crate::ServerArgs;
use crate::server::{load_settings, open_store};
use anyhow::Context;
use flipside_core::import::{Files, Source, read_institution};
use flipside_store::{ImportCounts, ImportSummary};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::fs::File;
use std::io::{BufReader, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// How many problems are listed before the rest are only counted.
const SHOWN_ERRORS: usize = 50;

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    #[command(flatten)]
    server: ServerArgs,
    /// Schools CSV: school_code,school_name,faculty (faculties are created as needed)
    #[arg(long, value_name = "FILE")]
    schools: Option<PathBuf>,
    /// Tutors CSV: tutor_id,name,email,school_code,capacity
    #[arg(long, value_name = "FILE")]
    tutors: Option<PathBuf>,
    /// Students CSV: student_id,name,email,school_code,programme,year_of_study
    /// [,entry_age][,identity_labels][,identity_consent] (labels `;`-separated, kept only
    /// when identity_consent is `yes`)
    #[arg(long, value_name = "FILE")]
    students: Option<PathBuf>,
    /// Last year's assignments CSV: student_id,tutor_id,academic_year (e.g. 2024/25)
    #[arg(long, value_name = "FILE")]
    assignments: Option<PathBuf>,
    /// Check the files and show what would change, writing nothing
    #[arg(long)]
    dry_run: bool,
}

/// `flipside generate-institution`: invented data in the import's shapes.
#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Directory to write schools.csv, tutors.csv, students.csv and assignments.csv into
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    #[arg(long, default_value_t = 38_000)]
    students: usize,
    #[arg(long, default_value_t = 2_500)]
    tutors: usize,
    /// The academic year of the generated assignments
    #[arg(long, default_value = "2024/25")]
    last_year: String,
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

pub fn run(args: ImportArgs) -> ExitCode {
    let outcome = runtime().and_then(|rt| rt.block_on(import(args)));
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("flipside import: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// A bar on standard error when it is a terminal; nothing otherwise (logs stay clean).
fn bar(len: u64, template: &str) -> ProgressBar {
    let target = if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(len), target);
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}

async fn import(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let given = [
        &args.schools,
        &args.tutors,
        &args.students,
        &args.assignments,
    ];
    if given.iter().all(|f| f.is_none()) {
        anyhow::bail!(
            "name at least one file: --schools, --tutors, --students or --assignments (see --help)"
        );
    }
    let started = Instant::now();
    let settings = load_settings(&args.server)?;
    let store = open_store(&settings).await?;
    store.migrate().await?;
    store
        .ensure_organisation("Your organisation", "org")
        .await?;

    let total_bytes: u64 = given
        .iter()
        .filter_map(|f| f.as_ref())
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let reading = bar(
        total_bytes,
        "reading  {wide_bar} {bytes}/{total_bytes} {eta}",
    );
    let open = |path: &Option<PathBuf>| -> anyhow::Result<_> {
        path.as_ref()
            .map(|p: &PathBuf| {
                let file = File::open(p).with_context(|| format!("opening {}", p.display()))?;
                Ok(Source::new(
                    display_name(p),
                    reading.wrap_read(BufReader::new(file)),
                ))
            })
            .transpose()
    };
    let files = Files {
        schools: open(&args.schools)?,
        tutors: open(&args.tutors)?,
        students: open(&args.students)?,
        assignments: open(&args.assignments)?,
    };
    let known = store.tutoring_known().await?;
    let institution = read_institution(files, &known);
    reading.finish_and_clear();
    let institution = match institution {
        Ok(i) => i,
        Err(errors) => {
            eprintln!(
                "flipside import: {} problem{} found; nothing was written.",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" }
            );
            for e in errors.iter().take(SHOWN_ERRORS) {
                eprintln!("  {e}");
            }
            if errors.len() > SHOWN_ERRORS {
                eprintln!("  … and {} more", errors.len() - SHOWN_ERRORS);
            }
            return Ok(ExitCode::FAILURE);
        }
    };

    let rows = (institution.schools.len()
        + institution.tutors.len()
        + institution.students.len()
        + institution.assignments.len()) as u64;
    let writing = bar(rows, "writing  {wide_bar} {pos}/{len} rows {eta}");
    let summary = flipside_web::operations::tutoring::import_institution(
        &store,
        &institution,
        args.dry_run,
        None,
        "cli",
        &|n| writing.set_position(n),
    )
    .await?;
    writing.finish_and_clear();
    print!("{}", describe(&summary));
    eprintln!("took {:.1} s", started.elapsed().as_secs_f64());
    Ok(ExitCode::SUCCESS)
}

/// The name errors use for a file: its file name, as the operator knows it.
fn display_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into(),
    )
}

fn counts(what: &str, c: ImportCounts) -> String {
    format!(
        "  {what:<12} {} added, {} updated, {} unchanged\n",
        c.added, c.updated, c.unchanged
    )
}

/// The summary as printed.
fn describe(s: &ImportSummary) -> String {
    let mut out = String::from(if s.dry_run {
        "Dry run: nothing was written. The import would change:\n"
    } else {
        "Imported:\n"
    });
    out.push_str(&format!("  faculties    {} added\n", s.faculties_added));
    out.push_str(&counts("schools", s.schools));
    out.push_str(&counts("tutors", s.tutors));
    out.push_str(&counts("students", s.students));
    out.push_str(&counts("assignments", s.assignments));
    if !s.changed_anything() {
        out.push_str("Nothing changed: every row matches what is stored.\n");
    }
    out
}

pub fn generate(args: GenerateArgs) -> ExitCode {
    let files = flipside_core::import::generate::generate(
        args.students,
        args.tutors,
        &args.last_year,
        args.seed,
    );
    let write = || -> anyhow::Result<()> {
        std::fs::create_dir_all(&args.out)
            .with_context(|| format!("creating {}", args.out.display()))?;
        for (name, text) in [
            ("schools.csv", &files.schools),
            ("tutors.csv", &files.tutors),
            ("students.csv", &files.students),
            ("assignments.csv", &files.assignments),
        ] {
            let path = args.out.join(name);
            std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        }
        Ok(())
    };
    match write() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("flipside generate-institution: {e:#}");
            ExitCode::FAILURE
        }
    }
}
