//! The `flipside` command. `main` only parses arguments and hands over to the libraries.
#![forbid(unsafe_code)]

mod admin;
mod import;
mod privacy;
mod qualitative;
mod report;
mod server;

/// The release build's linker arguments (`build.rs`), tested here: build scripts have no tests.
#[cfg(test)]
#[path = "../build/link.rs"]
mod link;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc instead of the C library's allocator (issue 15): profiled under load, glibc's
/// malloc and free took about a fifth of the server's time on a page that asks nothing of the
/// database, much of it threads waiting on each other's arena locks (bench/pages/README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// flipside: reverse mentoring and academic personal tutoring, evaluated honestly.
#[derive(Debug, Parser)]
#[command(name = "flipside", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where to listen and where the data lives; overrides the settings file and environment.
#[derive(Debug, Clone, clap::Args)]
pub struct ServerArgs {
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: Option<String>,
    /// Directory holding the SQLite database [default: ./data]
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Settings file (TOML); FLIPSIDE_* environment variables override it
    #[arg(long, value_name = "FILE", env = "FLIPSIDE_CONFIG")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web server.
    Serve(ServerArgs),
    /// Run the web server with a realistic demo organisation (created on first run, reused after).
    Demo(ServerArgs),
    /// Print the API's OpenAPI 3.1 document (JSON) and exit.
    Openapi,
    /// Apply database migrations and exit.
    Migrate(ServerArgs),
    /// Import Schools, tutors, students and last year's tutor assignments from CSV files.
    Import(import::ImportArgs),
    /// Write an invented institution's CSV files in the import's shapes (demos, benchmarks).
    GenerateInstitution(import::GenerateArgs),
    /// Manage people and roles from the command line.
    Admin(admin::AdminArgs),
    /// What flipside holds on one person: `person export --email E --out FILE.json`.
    Person(privacy::PersonArgs),
    /// Apply the retention rules of the settings file: `--dry-run` shows, `--apply` deletes.
    Retention(privacy::RetentionArgs),
    /// Reflective chats: export a cycle's coding as a REFI-QDA project.
    Qualitative(qualitative::QualitativeArgs),
    /// Analyse Likert survey responses (pre/post/follow-up) from a tidy CSV and print JSON.
    Analyse(flipside_batch::analyse::AnalyseArgs),
    /// Allocate students to tutors optimally from tutor and edge CSV files.
    Allocate(flipside_batch::allocate::AllocateArgs),
    /// Write the annual report of a cycle or an academic year as HTML or PDF (publication rule).
    Report(report::ReportArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Analyse(args) => flipside_batch::analyse::main(args),
        Command::Allocate(args) => flipside_batch::allocate::main(args),
        Command::Serve(args) => server::run(server::Mode::Serve, args),
        Command::Demo(args) => server::run(server::Mode::Demo, args),
        Command::Migrate(args) => server::run(server::Mode::Migrate, args),
        Command::Openapi => {
            println!("{}", flipside_web::handlers::api::openapi_json());
            ExitCode::SUCCESS
        }
        Command::Admin(args) => admin::run(args),
        Command::Person(args) => privacy::person(args),
        Command::Retention(args) => privacy::retention(args),
        Command::Import(args) => import::run(args),
        Command::Qualitative(args) => qualitative::run(args),
        Command::GenerateInstitution(args) => import::generate(args),
        Command::Report(args) => report::run(args),
    }
}
