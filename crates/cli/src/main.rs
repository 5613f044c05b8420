//! The `flipside` command. `main` only parses arguments and hands over to the libraries.
#![forbid(unsafe_code)]

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// flipside: reverse mentoring and academic personal tutoring, evaluated honestly.
#[derive(Debug, Parser)]
#[command(name = "flipside", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Analyse Likert survey responses (pre/post/follow-up) from a tidy CSV and print JSON.
    Analyse(flipside_batch::analyse::AnalyseArgs),
    /// Allocate students to tutors optimally from tutor and edge CSV files.
    Allocate(flipside_batch::allocate::AllocateArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Analyse(args) => flipside_batch::analyse::main(args),
        Command::Allocate(args) => flipside_batch::allocate::main(args),
    }
}
