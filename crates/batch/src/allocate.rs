//! `flipside allocate` (being written).
use std::process::ExitCode;

/// Arguments of `flipside allocate`.
#[derive(Debug, clap::Args)]
pub struct AllocateArgs {
    /// Tutors CSV
    pub tutors: std::path::PathBuf,
}

/// Runs the command and returns its exit code.
pub fn main(_args: AllocateArgs) -> ExitCode {
    ExitCode::FAILURE
}
