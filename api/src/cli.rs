//! The `selfserve` command line.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use uuid::Uuid;

#[derive(Debug, Parser)]
#[command(
    name = "selfserve",
    version,
    about = "Self-service purchases of software subscriptions"
)]
pub struct Cli {
    /// Optional configuration file with the same keys as the environment.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP service (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Write the OpenAPI contract generated from the real routes.
    Openapi {
        #[arg(long, default_value = "openapi/openapi.json")]
        output: PathBuf,
        /// Do not write: exit non-zero when the file differs from the generated contract.
        #[arg(long)]
        check: bool,
    },
    /// Mint a local HS256 token that this configuration accepts.
    Token {
        #[arg(long)]
        org: Uuid,
        #[arg(long)]
        user: Uuid,
        #[arg(long)]
        admin: bool,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        email: Option<String>,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = 3600, value_parser = clap::value_parser!(u64).range(1..=31_536_000))]
        ttl: u64,
    },
    /// Billing operations.
    Billing {
        #[command(subcommand)]
        command: BillingCommand,
    },
    /// Outbox events: webhook deliveries.
    Events {
        #[command(subcommand)]
        command: EventsCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum EventsCommand {
    /// Dispatch new events and send the deliveries that are due (what every
    /// server process does about once a second).
    Deliver {
        /// One dispatch and delivery pass, then exit (prints a JSON report).
        #[arg(long)]
        once: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum BillingCommand {
    /// Renew due subscriptions, issue their invoices and expire ended trials, as of a date.
    /// Running it twice for the same date changes nothing the second time.
    Run {
        /// The date to bill up to (YYYY-MM-DD, UTC).
        #[arg(long, value_name = "DATE")]
        as_of: chrono::NaiveDate,
    },
}
