use api::cli::{BillingCommand, Cli, Command};
use api::config::{LogFormat, Settings, Sources};
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
    init_tracing(settings.log_format);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => actix_web::rt::System::new().block_on(api::server::serve(settings)),
        Command::Migrate => api::runtime::database(&settings)
            .map(|_| eprintln!("selfserve: migrations applied"))
            .map_err(|e| e.to_string()),
        Command::Openapi { output, check } => write_openapi(&output, check),
        Command::Token {
            org,
            user,
            admin,
            name,
            email,
            ttl,
        } => api::runtime::verifier(&settings)
            .map_err(|e| e.to_string())
            .and_then(|v| {
                let token = api::auth::token::mint(&v, org, user, admin, name, email, ttl)?;
                println!("{token}");
                Ok(())
            }),
        Command::Billing {
            command: BillingCommand::Run { as_of },
        } => api::server::billing_run_once(&settings, as_of).map(|report| {
            println!(
                "{{\"as_of\":\"{as_of}\",\"renewals\":{},\"lapsed\":{},\"card_expired\":{},\"expired_trials\":{},\"credits_settled\":{}}}",
                report.renewals,
                report.lapsed,
                report.card_expired,
                report.expired_trials,
                report.credits_settled
            );
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn write_openapi(output: &std::path::Path, check: bool) -> Result<(), String> {
    let generated = api::app::openapi_json();
    if check {
        let committed = std::fs::read_to_string(output)
            .map_err(|e| format!("cannot read {}: {e}", output.display()))?;
        return if committed == generated {
            Ok(())
        } else {
            Err(format!(
                "{} differs from the generated contract: run `selfserve openapi`",
                output.display()
            ))
        };
    }
    if let Some(parent) = output.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
    }
    std::fs::write(output, generated).map_err(|e| e.to_string())?;
    eprintln!("selfserve: wrote {}", output.display());
    Ok(())
}

fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}
