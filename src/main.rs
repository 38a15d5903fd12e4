use std::process::ExitCode;

use clap::Parser;
use git_credential_ghoauth::cli::Cli;

fn main() -> ExitCode {
    git_credential_ghoauth::keep_memory_private();
    if let Some(code) = git_credential_ghoauth::run_plain_git_call() {
        return code;
    }
    git_credential_ghoauth::run(Cli::parse())
}
