//! `dbtime`: times the repository calls behind the benchmarked endpoints,
//! single-threaded, straight over the service's pool — the database layer's
//! share of a request, without HTTP, auth or JSON.
//!
//!   target/release/dbtime --database-url DB --dir SEED_OUT_DIR [--iterations 20000]
//!
//! SEED_OUT_DIR is the seed's `--out-dir` (seed.env, members.txt,
//! write-subscriptions.txt). The write timings take fresh (subscription,
//! member) pairs from the END of the write range, so run.sh's pairs stay free.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use chrono::Utc;
use diesel::connection::SimpleConnection;
use domain::{InvoiceId, OrganizationId, SubscriptionId, UserId};
use persistence::repos::{invoices, policies, subscriptions, users};
use persistence::{connect_pool, write_transaction, DatabaseUrl, DbConnection, PoolOptions};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use writes::{assign, Ctx, Pairs, Variant};

mod writes;
use std::time::Instant;

#[derive(clap::Parser)]
struct Args {
    #[arg(long)]
    database_url: String,
    #[arg(long)]
    dir: PathBuf,
    #[arg(long, default_value_t = 20_000)]
    iterations: usize,
    /// Iterations for the write transactions (each takes a new pair).
    #[arg(long, default_value_t = 3_000)]
    writes: usize,
    /// Also run the write variants from this many threads at once (each with its own connection).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Only this write variant (before, current, pg-select-for-update, sqlite-one-writer):
    /// variants share the hot rows, so on PostgreSQL compare them on fresh databases.
    #[arg(long)]
    variant: Option<String>,
    /// Seconds per variant in the concurrent run.
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
}

fn time<F: FnMut(usize)>(name: &str, n: usize, mut f: F) {
    for i in 0..n.min(200) {
        f(i); // warm: prepared statements, page cache
    }
    let t = Instant::now();
    for i in 0..n {
        f(i);
    }
    let per = t.elapsed().as_secs_f64() * 1e6 / n as f64;
    println!("{per:>9.1} us  {name}");
}

fn main() {
    let args = <Args as clap::Parser>::parse();
    let env: HashMap<String, String> = std::fs::read_to_string(args.dir.join("seed.env"))
        .expect("seed.env")
        .lines()
        .filter_map(|l| l.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())))
        .collect();
    let lines = |f: &str| -> Vec<String> {
        std::fs::read_to_string(args.dir.join(f))
            .expect(f)
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let (org, me, sub) = (
        env["SEED_ORG"].clone(),
        env["SEED_PURCHASER"].clone(),
        env["SEED_SUBSCRIPTION"].clone(),
    );
    // Typed for the repository calls; the raw diesel queries below bind the text.
    let (org_id, me_id, sub_id): (OrganizationId, UserId, SubscriptionId) = (
        org.parse().expect("SEED_ORG"),
        me.parse().expect("SEED_PURCHASER"),
        sub.parse().expect("SEED_SUBSCRIPTION"),
    );
    let members = lines("members.txt");
    let targets = lines("write-subscriptions.txt");
    let url = DatabaseUrl::parse(&args.database_url).expect("url");
    let pool = connect_pool(
        &url,
        &PoolOptions {
            max_size: (args.threads as u32).max(2),
            checkout_timeout: std::time::Duration::from_secs(5),
        },
    )
    .expect("pool");
    let n = args.iterations;
    println!("backend {}, {} iterations", url.backend().as_str(), n);

    time("pool.get() + drop", n, |_| drop(pool.get().unwrap()));
    let mut conn = pool.get().unwrap();
    let c: &mut DbConnection = &mut conn;
    time("SELECT 1 (readyz ping)", n, |_| {
        persistence::repos::health::ping(c).unwrap()
    });
    time("policies::find (no row: GET /v1/products/{id})", n, |_| {
        policies::find(
            c,
            org_id,
            "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01".parse().unwrap(),
        )
        .unwrap();
    });
    time("users::find (GET /v1/me)", n, |_| {
        users::find(c, org_id, me_id).unwrap().unwrap();
    });
    time("subscriptions::find (25 columns)", n, |_| {
        subscriptions::find(c, org_id, sub_id).unwrap().unwrap();
    });
    time(
        "  the same SELECT without `LIMIT ?` (get_result on the key; SQLite re-prepares LIMIT ? queries)",
        n,
        |_| {
            use diesel::prelude::*;
            use persistence::rows::SubscriptionRow;
            use persistence::schema::subscriptions as s;
            let _: SubscriptionRow = s::table
                .filter(s::organization_id.eq(&org))
                .filter(s::id.eq(&sub))
                .select(SubscriptionRow::as_select())
                .get_result(c)
                .unwrap();
        },
    );
    time(
        "  the same SELECT on the concrete connection (on_backend!, no MultiConnection re-serialisation)",
        n,
        |_| {
            use diesel::prelude::*;
            use persistence::rows::SubscriptionRow;
            use persistence::schema::subscriptions as s;
            let _: Option<SubscriptionRow> = persistence::on_backend!(&mut *c, |b| s::table
                .filter(s::organization_id.eq(&org))
                .filter(s::id.eq(&sub))
                .select(SubscriptionRow::as_select())
                .first(b)
                .optional())
            .unwrap();
        },
    );
    time("  users::find without `LIMIT ?`", n, |_| {
        use diesel::prelude::*;
        use persistence::rows::UserRow;
        use persistence::schema::users as u;
        let _: UserRow = u::table
            .filter(u::organization_id.eq(&org))
            .filter(u::id.eq(&me))
            .select(UserRow::as_select())
            .get_result(c)
            .unwrap();
    });
    time(
        "GET /v1/subscriptions/{id}: subscriptions::find + users::find",
        n,
        |_| {
            subscriptions::find(c, org_id, sub_id).unwrap().unwrap();
            users::find(c, org_id, me_id).unwrap().unwrap();
        },
    );
    let filter = subscriptions::Filter {
        purchaser: Some(me_id),
        ..Default::default()
    };
    time(
        "subscriptions::list limit 26 (the list page)",
        n / 4,
        |_| {
            assert_eq!(
                subscriptions::list(c, org_id, &filter, None, 26)
                    .unwrap()
                    .len(),
                26
            );
        },
    );
    time("subscriptions::list limit 2", n / 4, |_| {
        subscriptions::list(c, org_id, &filter, None, 2).unwrap();
    });
    let today = Utc::now().date_naive();
    let window = invoices::Filter {
        from: today.checked_sub_months(chrono::Months::new(3)),
        to: Some(today),
        ..Default::default()
    };
    let page = invoices::list(c, org_id, me_id, &window, None, 26).unwrap();
    time("invoices::list limit 26, 3-month window", n / 4, |_| {
        invoices::list(c, org_id, me_id, &window, None, 26).unwrap();
    });
    let ids: Vec<InvoiceId> = page.iter().take(25).map(|r| r.id).collect();
    time("invoices::lines for 25 invoices", n / 4, |_| {
        invoices::lines(c, &ids).unwrap();
    });

    // ---- the assign-one-user transaction: variants, single-threaded and concurrent ----
    let per_target = env["SEED_WRITE_LICENSES"].parse::<usize>().unwrap_or(1);
    let capacity = targets.len() * per_target.min(members.len());
    let w = args.writes.min(capacity / 8);
    // Pairs already taken (by run.sh or an earlier dbtime run) are skipped.
    let taken: HashSet<(String, String)> = {
        use diesel::prelude::*;
        use persistence::schema::license_assignments as la;
        let rows: Vec<(String, String)> = persistence::on_backend!(&mut *c, |b| la::table
            .filter(la::subscription_id.eq_any(&targets))
            .select((la::subscription_id, la::user_id))
            .load(b))
        .unwrap();
        rows.into_iter().collect()
    };
    // Counts down from the end of the (subscription, member) range, skipping taken pairs.
    let pairs = Pairs {
        next: AtomicUsize::new(capacity),
        targets: targets.clone(),
        members: members.clone(),
        taken,
    };
    let ctx = Ctx {
        org: org_id,
        actor: me_id,
    };
    let chosen = |v: Variant| args.variant.as_deref().is_none_or(|n| n == v.name());
    for v in Variant::ALL {
        if v.applies(c) && chosen(v) {
            time(&format!("assign 1 user: {}", v.describe()), w, |_| {
                let (s, u) = pairs.take();
                assign(c, &ctx, v, &s, &u);
            });
        }
    }
    drop(conn);
    if args.threads > 1 {
        let secs = args.seconds;
        println!(
            "concurrent: {} threads, {secs} s per variant, over {} write targets (transactions/s)",
            args.threads,
            targets.len()
        );
        for v in Variant::ALL {
            let mut conn = pool.get().unwrap();
            if !v.applies(&mut conn) || !chosen(v) {
                continue;
            }
            drop(conn);
            let (done, clashes) = (AtomicUsize::new(0), AtomicUsize::new(0));
            let writer = Mutex::new(());
            let t0 = Instant::now();
            std::thread::scope(|scope| {
                for _ in 0..args.threads {
                    scope.spawn(|| {
                        let mut conn = pool.get().unwrap();
                        while t0.elapsed().as_secs_f64() < secs {
                            let (s, u) = pairs.take();
                            let ok = if v == Variant::SqliteOneWriter {
                                let _g = writer.lock().unwrap();
                                assign(&mut conn, &ctx, v, &s, &u)
                            } else {
                                assign(&mut conn, &ctx, v, &s, &u)
                            };
                            if ok {
                                done.fetch_add(1, Ordering::Relaxed);
                            } else {
                                clashes.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    });
                }
            });
            let rate = done.load(Ordering::Relaxed) as f64 / t0.elapsed().as_secs_f64();
            let clashes = clashes.load(Ordering::Relaxed);
            let note = if clashes > 0 {
                format!(" ({clashes} pairs found taken, not counted)")
            } else {
                String::new()
            };
            println!("{rate:>9.0} tx/s  {}{note}", v.describe());
        }
    }
    let mut conn = pool.get().unwrap();
    let c: &mut DbConnection = &mut conn;
    time(
        "empty write transaction (BEGIN [IMMEDIATE]; COMMIT)",
        w,
        |_| write_transaction(c, |_| -> Result<(), persistence::RepoError> { Ok(()) }).unwrap(),
    );
    // Commit cost on its own: one tiny write per transaction.
    let probe: SubscriptionId = targets[0].parse().expect("write target");
    time("one UPDATE per write transaction (commit cost)", w, |_| {
        write_transaction(c, |c| subscriptions::lock(c, probe)).unwrap();
    });
    if let DbConnection::Pg(pg) = c {
        use diesel::prelude::*;
        let named: Vec<String> = diesel::select(diesel::dsl::sql::<
            diesel::sql_types::Array<diesel::sql_types::Text>,
        >(
            "coalesce(array_agg(left(statement, 60) ORDER BY statement), '{}') FROM pg_prepared_statements",
        ))
        .get_result(pg)
        .unwrap();
        println!(
            "  {} named prepared statements cached on this connection:",
            named.len()
        );
        for s in named {
            println!("    {s}");
        }
    }
    if let DbConnection::Pg(_) = c {
        c.batch_execute("SET synchronous_commit = off").unwrap();
        time(
            "one UPDATE per write transaction, synchronous_commit = off",
            w,
            |_| {
                write_transaction(c, |c| subscriptions::lock(c, probe)).unwrap();
            },
        );
    }
}
