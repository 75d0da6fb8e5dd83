//! The seed's command line and the catalog file it reads.

use clap::Parser;
use std::path::PathBuf;
use uuid::Uuid;

#[derive(Debug, Parser)]
#[command(name = "seed", about = "Seed a selfserve database for the benchmarks")]
pub struct Args {
    /// SQLite path (or sqlite://…) or postgres://… URL.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: String,
    /// The organisation to create.
    #[arg(long)]
    pub org: Uuid,
    /// The member whose token the benchmark uses (token `sub` = this id).
    #[arg(long)]
    pub purchaser: Uuid,
    /// Members in the organisation (the purchaser included).
    #[arg(long, default_value_t = 20_000)]
    pub users: usize,
    /// Subscriptions in total (not counting the write-benchmark targets).
    #[arg(long, default_value_t = 1_000)]
    pub subscriptions: usize,
    /// License assignments in total, spread evenly over the subscriptions.
    #[arg(long, default_value_t = 1_000)]
    pub assignments: usize,
    /// How many of the subscriptions belong to `--purchaser`; the rest belong to other purchasers.
    #[arg(long, default_value_t = 1_000)]
    pub purchaser_subscriptions: usize,
    /// Other purchasers the remaining subscriptions are spread over.
    #[arg(long, default_value_t = 1_000)]
    pub other_purchasers: usize,
    /// Invoices (one purchase invoice per subscription, the purchaser's first).
    /// Default: one per subscription, at most 20,000.
    #[arg(long)]
    pub invoices: Option<usize>,
    /// Tax in basis points on the seeded invoices.
    #[arg(long, default_value_t = 0)]
    pub tax_bps: i64,
    /// Extra, empty subscriptions of the purchaser with many licenses, as targets
    /// for the assign-one-user write benchmark: (subscription, member) pairs to provide.
    #[arg(long, default_value_t = 100_000)]
    pub write_capacity: usize,
    /// Spread the write capacity over this many target subscriptions (fewer
    /// licenses each); default: as few as the catalog's largest product allows.
    #[arg(long)]
    pub write_targets: Option<usize>,
    /// The product catalog (the ids, currency, monthly price and max licenses are used).
    #[arg(long, default_value = "catalog.toml")]
    pub catalog: PathBuf,
    /// Where to write `seed.env`, `members.txt` and `write-subscriptions.txt`.
    #[arg(long)]
    pub out_dir: Option<PathBuf>,
    /// Rows per transaction.
    #[arg(long, default_value_t = 5_000)]
    pub batch: usize,
}

#[derive(serde::Deserialize)]
pub struct CatalogFile {
    pub products: Vec<CatalogProduct>,
}

#[derive(serde::Deserialize, Clone)]
pub struct CatalogProduct {
    pub id: Uuid,
    pub name: String,
    pub currency: String,
    pub monthly_price: i64,
    pub max_licenses: i64,
}
