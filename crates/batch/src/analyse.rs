//! `flipside analyse` (being written).
use std::process::ExitCode;

/// Arguments of `flipside analyse`.
#[derive(Debug, clap::Args)]
pub struct AnalyseArgs {
    /// Tidy CSV with header respondent_id,wave,item,score
    pub responses: std::path::PathBuf,
}

/// Runs the command and returns its exit code.
pub fn main(_args: AnalyseArgs) -> ExitCode {
    ExitCode::FAILURE
}
