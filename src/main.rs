use std::process::ExitCode;

use clap::Parser;
use git_credential_ghoauth::cli::Cli;

fn main() -> ExitCode {
    git_credential_ghoauth::run(Cli::parse())
}
