//! What the seed leaves for the benchmark scripts: `seed.env` (the ids and
//! counts), `write-subscriptions.txt` and `members.txt` (the write targets and
//! the members they may take).

use domain::{OrganizationId, SubscriptionId, UserId};
use std::io::Write;
use std::path::Path;

pub struct Summary<'a> {
    pub org: OrganizationId,
    pub purchaser: UserId,
    /// One of the purchaser's subscriptions, for the single-read benchmark.
    pub sample: Option<SubscriptionId>,
    pub subscriptions: usize,
    pub assignments: usize,
    pub invoices: usize,
    pub users: usize,
    pub write_licenses: usize,
    pub seconds: f64,
    pub write_subscriptions: &'a [SubscriptionId],
    /// Members a write target can take (never the purchaser: any member may
    /// hold a license, but keeping them out makes the count of distinct pairs exact).
    pub members: Vec<UserId>,
}

pub fn write(dir: &Path, s: &Summary<'_>) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut env = std::fs::File::create(dir.join("seed.env"))?;
    writeln!(env, "SEED_ORG={}", s.org)?;
    writeln!(env, "SEED_PURCHASER={}", s.purchaser)?;
    let sample = s.sample.map(|id| id.to_string()).unwrap_or_default();
    writeln!(env, "SEED_SUBSCRIPTION={sample}")?;
    writeln!(env, "SEED_SUBSCRIPTIONS={}", s.subscriptions)?;
    writeln!(env, "SEED_ASSIGNMENTS={}", s.assignments)?;
    writeln!(env, "SEED_INVOICES={}", s.invoices)?;
    writeln!(env, "SEED_USERS={}", s.users)?;
    writeln!(env, "SEED_WRITE_LICENSES={}", s.write_licenses)?;
    writeln!(env, "SEED_SECONDS={:.1}", s.seconds)?;
    let mut f = std::fs::File::create(dir.join("write-subscriptions.txt"))?;
    for id in s.write_subscriptions {
        writeln!(f, "{id}")?;
    }
    let mut f = std::fs::File::create(dir.join("members.txt"))?;
    for id in &s.members {
        writeln!(f, "{id}")?;
    }
    Ok(())
}
