//! What each `selfserve` command does, once `main` has parsed the command
//! line and loaded the settings. Errors come back as the one line `main`
//! prints before exiting non-zero.

use crate::cli::{BillingCommand, Command};
use crate::config::{LogFormat, Settings};
use std::path::Path;
use usecases::subscriptions::billing_run;

pub fn run(command: Command, settings: Settings) -> Result<(), String> {
    match command {
        Command::Serve => {
            actix_web::rt::System::new().block_on(super::server::serve(settings))
        }
        Command::Migrate => super::runtime::database(&settings)
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
        } => super::runtime::verifier(&settings)
            .map_err(|e| e.to_string())
            .and_then(|v| {
                let token = crate::auth::token::mint(&v, org, user, admin, name, email, ttl)?;
                println!("{token}");
                Ok(())
            }),
        Command::Billing {
            command: BillingCommand::Run { as_of },
        } => billing_run_once(&settings, as_of).map(|report| {
            println!(
                "{{\"as_of\":\"{as_of}\",\"renewals\":{},\"lapsed\":{},\"card_expired\":{},\"canceled\":{},\"disabled\":{},\"deleted\":{},\"expired_trials\":{},\"credits_settled\":{}}}",
                report.renewals,
                report.lapsed,
                report.card_expired,
                report.canceled,
                report.disabled,
                report.deleted,
                report.expired_trials,
                report.credits_settled
            );
        }),
    }
}

/// `selfserve openapi [--check]`.
fn write_openapi(output: &Path, check: bool) -> Result<(), String> {
    let generated = super::app::openapi_json();
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

/// `selfserve billing run --as-of DATE`.
pub fn billing_run_once(
    settings: &Settings,
    as_of: chrono::NaiveDate,
) -> Result<billing_run::Report, String> {
    let db = super::runtime::database(settings).map_err(|e| e.to_string())?;
    let mut conn = db
        .pool()
        .get()
        .map_err(|e| format!("database unavailable: {e}"))?;
    billing_run::run(&mut conn, as_of, settings.tax_rate_bps, chrono::Utc::now())
        .map_err(|e| format!("billing run failed: {e:?}"))
}

/// Logs go to stderr (stdout carries command output such as a minted token).
pub fn init_tracing(format: LogFormat) {
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
