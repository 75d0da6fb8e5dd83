use api::cli::{Cli, Command};
use api::config::{Settings, Sources};
use api::startup::commands;
use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (file, explicit) = match &cli.config {
        Some(path) => (path.clone(), true),
        None => (PathBuf::from("selfserve.toml"), false),
    };
    let settings = match Sources::load(&file, explicit).and_then(|s| Settings::from_sources(&s)) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    commands::init_tracing(settings.log_format);
    match commands::run(cli.command.unwrap_or(Command::Serve), settings) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}
