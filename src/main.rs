//! The `manyi` binary: parses flags and hands over to the library.

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    manyi::cli::run(manyi::config::Cli::parse()).await
}
