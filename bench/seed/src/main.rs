//! `seed`: fills a selfserve database with a realistic dataset for the
//! benchmarks — one organisation, its members, subscriptions with license
//! assignments, a billing account, card and billing profile per purchaser, and
//! invoices — fast: multi-row inserts, one transaction per batch of ~5,000 rows.
//!
//! Works on SQLite (a file path or `sqlite://`) and PostgreSQL (`postgres://`),
//! through the same pool and migrations the service uses.
//!
//! The rows keep every rule the service relies on: `assigned_count` equals the
//! number of assignment rows of its subscription and never exceeds
//! `license_count`; invoice lines sum to the subtotal and subtotal + tax = total;
//! invoice numbers are sequential per organisation.

#![allow(clippy::expect_used)]

mod args;
mod billing;
mod insert;
mod out;

use args::{Args, CatalogFile};
use insert::{Fail, OrgIns, UserIns};

use chrono::{Datelike, Duration, Months, NaiveDate, Utc};
use clap::Parser;
use diesel::connection::SimpleConnection;
use diesel::RunQueryDsl;
use domain::invoice::{InvoiceStatus, LineKind};
use domain::subscription::SubscriptionStatus;
use domain::{InvoiceId, OrganizationId, ProductId, SubscriptionId, UserId};
use persistence::rows::{AssignmentRow, InvoiceLineRow, InvoiceRow, SubscriptionRow};
use persistence::schema::{
    billing_accounts, billing_profiles, invoice_lines, invoices, license_assignments,
    organizations, payment_methods, subscriptions, users,
};
use persistence::{connect_pool, migrations, DatabaseUrl, DbConnection, PoolOptions};
use std::time::Instant;

fn main() {
    let args = Args::parse();
    if let Err(e) = run(&args) {
        eprintln!("seed: {e}");
        std::process::exit(1);
    }
}

fn run(args: &Args) -> Result<(), Fail> {
    let started = Instant::now();
    if args.users < 2 {
        return Err("--users must be at least 2".into());
    }
    let catalog: CatalogFile = toml::from_str(
        &std::fs::read_to_string(&args.catalog)
            .map_err(|e| format!("cannot read {}: {e}", args.catalog.display()))?,
    )
    .map_err(|e| format!("{}: {}", args.catalog.display(), e.message()))?;
    let products = catalog.products;
    if products.is_empty() {
        return Err("the catalog has no products".into());
    }
    let url = DatabaseUrl::parse(&args.database_url).map_err(|e| format!("DATABASE_URL {e}"))?;
    let pool = connect_pool(
        &url,
        &PoolOptions {
            max_size: 1,
            checkout_timeout: std::time::Duration::from_secs(10),
        },
    )?;
    let mut conn = pool.get()?;
    let conn: &mut DbConnection = &mut conn;
    let migrated = migrations::run_pending(conn)?;
    if let DbConnection::Sqlite(_) = conn {
        // Bulk load: the data is regenerated on failure, so durability per commit is not needed.
        conn.batch_execute("PRAGMA synchronous = OFF; PRAGMA cache_size = -200000;")?;
    }
    let t_migrate = started.elapsed();

    let org = OrganizationId::from(args.org);
    let purchaser = UserId::from(args.purchaser);
    let now = Utc::now().naive_utc();
    let batch = args.batch;

    // ---- members -------------------------------------------------------------
    let t = Instant::now();
    let mut member_ids: Vec<UserId> = Vec::with_capacity(args.users);
    member_ids.push(purchaser);
    for _ in 1..args.users {
        member_ids.push(UserId::new_random());
    }
    let user_rows: Vec<UserIns> = member_ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let (name, email) = if i == 0 {
                (
                    "Bench Purchaser".to_owned(),
                    "purchaser@bench.example.com".to_owned(),
                )
            } else {
                (
                    format!("Bench Member {i:07}"),
                    format!("member{i:07}@bench.example.com"),
                )
            };
            UserIns {
                id: id.to_string(),
                organization_id: org.to_string(),
                // Every member has signed in once: the token `sub` is their id.
                subject: Some(id.to_string()),
                display_name_key: name.to_lowercase(),
                display_name: name,
                email_key: Some(email.to_lowercase()),
                email: Some(email),
                created_at: now - Duration::days(400) + Duration::seconds(i as i64),
            }
        })
        .collect();

    // ---- purchasers and their billing rows -----------------------------------
    let others = args.other_purchasers.min(args.users - 1);
    let mut purchasers: Vec<UserId> = vec![purchaser];
    purchasers.extend(member_ids[1..=others].iter().cloned());
    let (accounts, cards, profiles) = billing::rows(org, &purchasers, now);

    // ---- subscriptions ---------------------------------------------------------
    let m = args.subscriptions;
    let k = args.assignments;
    let mine = args.purchaser_subscriptions.min(m);
    let max_per_sub = if m == 0 { 0 } else { k.div_ceil(m) };
    if max_per_sub > args.users {
        return Err(format!(
            "{k} assignments over {m} subscriptions need {max_per_sub} members per subscription; --users is {}",
            args.users
        )
        .into());
    }
    if m == 0 && k > 0 {
        return Err("--assignments needs --subscriptions".into());
    }
    // Ids in sorted order: rows go into the primary-key index in order.
    let mut sub_ids: Vec<SubscriptionId> = (0..m).map(|_| SubscriptionId::new_random()).collect();
    sub_ids.sort_by_key(ToString::to_string);
    // The purchaser's subscriptions are spread through the id space and through time.
    let stride = m.checked_div(mine).unwrap_or(usize::MAX).max(1);
    let owner_of = |i: usize| -> usize {
        let theirs = mine > 0 && i.checked_rem(stride) == Some(0) && i / stride < mine;
        if theirs || others == 0 {
            0
        } else {
            1 + (i % others)
        }
    };
    let per_sub = |i: usize| -> usize {
        k.checked_div(m)
            .map_or(0, |base| base + usize::from(i < k % m.max(1)))
    };
    let mut subs: Vec<SubscriptionRow> = Vec::with_capacity(m);
    for (i, id) in sub_ids.iter().enumerate() {
        let assigned = per_sub(i) as i64;
        let product = products
            .iter()
            .cycle()
            .skip(i % products.len())
            .take(products.len())
            .find(|p| p.max_licenses >= assigned + 5)
            .unwrap_or(&products[0])
            .clone();
        let owner = owner_of(i);
        // Created over the last ~80 days, newest last; ids are random relative to time.
        let created = now
            - Duration::seconds(
                ((i * 7_919) % (m.max(1))) as i64 * 80 * 86_400 / m.max(1) as i64 + 60,
            );
        let start = created.date();
        let end = start
            .checked_add_months(Months::new(1))
            .ok_or("date overflow")?;
        let licenses = (assigned + 1 + (i % 5) as i64).min(product.max_licenses.max(assigned));
        subs.push(SubscriptionRow {
            id: *id,
            organization_id: org,
            purchaser_id: purchasers[owner],
            product_id: product.id.into(),
            source: "self_service".into(),
            status: SubscriptionStatus::Active,
            license_count: licenses.max(1),
            assigned_count: assigned,
            currency: product.currency.clone(),
            billing_frequency: Some("monthly".into()),
            unit_price: Some(product.monthly_price),
            current_period_start: Some(start),
            current_period_end: Some(end),
            period_anchor_day: Some(start.day() as i32),
            trial_ends_on: None,
            purchased_on: Some(start),
            auto_renew: true,
            billing_profile_id: Some(profiles[owner].id),
            payment_method_id: Some(cards[owner].id),
            cancel_reason: None,
            cancel_feedback: None,
            canceled_at: None,
            cancel_at: None,
            seat_threshold: 0,
            version: 1 + assigned,
            created_at: created,
            updated_at: created,
        });
    }

    // Write-benchmark targets: the purchaser's, empty, with the largest license count the catalog allows.
    let big = products
        .iter()
        .max_by_key(|p| p.max_licenses)
        .cloned()
        .ok_or("no products")?;
    let mut per_target = (big.max_licenses as usize).min(args.users - 1).max(1);
    if let Some(n) = args.write_targets.filter(|n| *n > 0) {
        per_target = per_target.min(args.write_capacity.div_ceil(n)).max(1);
    }
    let targets = if args.write_capacity == 0 {
        0
    } else {
        args.write_capacity.div_ceil(per_target)
    };
    let mut write_subs = Vec::new();
    for t in 0..targets {
        let created = now - Duration::days(85) - Duration::seconds(t as i64);
        let start = created.date();
        let id = SubscriptionId::new_random();
        write_subs.push(id);
        subs.push(SubscriptionRow {
            id,
            organization_id: org,
            purchaser_id: purchaser,
            product_id: big.id.into(),
            source: "self_service".into(),
            status: SubscriptionStatus::Active,
            license_count: per_target as i64,
            assigned_count: 0,
            currency: big.currency.clone(),
            billing_frequency: Some("monthly".into()),
            unit_price: Some(big.monthly_price),
            current_period_start: Some(start),
            current_period_end: Some(start.checked_add_months(Months::new(1)).ok_or("date")?),
            period_anchor_day: Some(start.day() as i32),
            trial_ends_on: None,
            purchased_on: Some(start),
            auto_renew: true,
            billing_profile_id: Some(profiles[0].id),
            payment_method_id: Some(cards[0].id),
            cancel_reason: None,
            cancel_feedback: None,
            canceled_at: None,
            cancel_at: None,
            seat_threshold: 0,
            version: 1,
            created_at: created,
            updated_at: created,
        });
    }

    // ---- invoices: one purchase invoice per subscription, the purchaser's first ----
    let n_invoices = args.invoices.unwrap_or(m.min(20_000)).min(m);
    let mut order: Vec<usize> = (0..m).filter(|&i| owner_of(i) == 0).collect();
    order.extend((0..m).filter(|&i| owner_of(i) != 0));
    order.truncate(n_invoices);
    // Numbers follow issue order (the subscription's creation).
    order.sort_by_key(|&i| subs[i].created_at);
    let mut invoice_rows = Vec::with_capacity(n_invoices);
    let mut line_rows = Vec::with_capacity(n_invoices);
    for (n, &i) in order.iter().enumerate() {
        let s = &subs[i];
        let owner = owner_of(i);
        let p = &profiles[owner];
        let unit = s.unit_price.unwrap_or(0);
        let subtotal = unit * s.license_count;
        let tax = subtotal * args.tax_bps / 10_000;
        let id = InvoiceId::new_random();
        let issue: NaiveDate = s.created_at.date();
        let (start, end) = (
            s.current_period_start.unwrap_or(issue),
            s.current_period_end.unwrap_or(issue),
        );
        invoice_rows.push(InvoiceRow {
            id,
            organization_id: org,
            owner_id: s.purchaser_id,
            number: n as i64 + 1,
            billing_profile_id: p.id,
            subscription_id: s.id,
            reason: "purchase".into(),
            issued_at: s.created_at,
            issue_date: issue,
            due_date: issue,
            period_start: start,
            period_end: end,
            status: InvoiceStatus::Paid,
            currency: s.currency.clone(),
            subtotal,
            tax,
            total: subtotal + tax,
            bill_to: serde_json::json!({
                "name": p.name,
                "address": {"line1": p.bill_to_line1, "line2": p.bill_to_line2, "city": p.bill_to_city,
                            "postal_code": p.bill_to_postal_code, "region": p.bill_to_region, "country": p.bill_to_country},
                "invoice_email": p.invoice_email, "po_number": p.po_number,
            })
            .to_string(),
            renewal_key: None,
        });
        let product_name = products
            .iter()
            .find(|x| ProductId::from(x.id) == s.product_id)
            .map(|x| x.name.clone())
            .unwrap_or_default();
        line_rows.push(InvoiceLineRow {
            invoice_id: id,
            position: 1,
            kind: LineKind::Purchase,
            description: format!("{product_name}: {} licenses, monthly", s.license_count),
            subscription_id: s.id,
            quantity: s.license_count,
            unit_amount: unit,
            amount: subtotal,
            period_start: start,
            period_end: end,
        });
    }
    let t_generate = t.elapsed();

    // ---- write ---------------------------------------------------------------
    let t = Instant::now();
    persistence::on_backend!(&mut *conn, |c| diesel::insert_into(organizations::table)
        .values(&OrgIns {
            id: org.to_string(),
            next_invoice_number: n_invoices as i64 + 1,
            created_at: now - Duration::days(400),
        })
        .execute(c))?;
    let n_users = insert_all!(conn, users::table, user_rows, 8, batch);
    let t_users = t.elapsed();
    let t = Instant::now();
    insert_all!(conn, billing_accounts::table, accounts, 5, batch);
    insert_all!(conn, payment_methods::table, cards, 19, batch);
    insert_all!(conn, billing_profiles::table, profiles, 16, batch);
    let t_billing = t.elapsed();
    let t = Instant::now();
    let n_subs = insert_all!(conn, subscriptions::table, subs, 25, batch);
    let t_subs = t.elapsed();

    // Assignments, generated per transaction so a million rows never sit in memory at once.
    let t = Instant::now();
    let mut n_assign = 0usize;
    let mut pending: Vec<AssignmentRow> = Vec::with_capacity(batch);
    let members = args.users;
    for (i, s) in subs.iter().take(m).enumerate() {
        let a = per_sub(i);
        // Consecutive members from a per-subscription start: distinct within the subscription.
        let first = (i * 7_907) % members;
        for j in 0..a {
            pending.push(AssignmentRow {
                subscription_id: s.id,
                user_id: member_ids[(first + j) % members],
                organization_id: org,
                assigned_by: s.purchaser_id,
                assigned_at: s.created_at + Duration::seconds(j as i64 + 1),
                state: domain::assignment::AssignmentState::Active,
            });
            if pending.len() >= batch {
                n_assign += insert_all!(conn, license_assignments::table, pending, 5, batch);
                pending.clear();
            }
        }
    }
    n_assign += insert_all!(conn, license_assignments::table, pending, 5, batch);
    let t_assign = t.elapsed();
    let t = Instant::now();
    let n_inv = insert_all!(conn, invoices::table, invoice_rows, 19, batch);
    let n_lines = insert_all!(conn, invoice_lines::table, line_rows, 10, batch);
    let t_invoices = t.elapsed();
    let t = Instant::now();
    match conn {
        DbConnection::Sqlite(_) => {
            conn.batch_execute("ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);")?
        }
        DbConnection::Pg(_) => conn.batch_execute("ANALYZE")?,
    }
    let t_analyze = t.elapsed();

    let total = started.elapsed();
    let rate = (n_users + n_subs + n_assign + n_inv + n_lines) as f64 / total.as_secs_f64();
    eprintln!(
        "seed: {} ({} migrations applied): org {org}, purchaser {purchaser}",
        url.backend().as_str(),
        migrated
    );
    eprintln!(
        "seed:   users                {n_users:>9}  {:>8.2?}",
        t_users
    );
    eprintln!(
        "seed:   billing accounts/cards/profiles {:>6} each  {:>8.2?}",
        purchasers.len(),
        t_billing
    );
    eprintln!(
        "seed:   subscriptions        {n_subs:>9}  {:>8.2?}  ({mine} of the purchaser's, {} write targets x {per_target} licenses)",
        t_subs,
        write_subs.len()
    );
    eprintln!(
        "seed:   license assignments  {n_assign:>9}  {:>8.2?}",
        t_assign
    );
    eprintln!(
        "seed:   invoices (+ lines)   {n_inv:>9}  {:>8.2?}  ({n_lines} lines)",
        t_invoices
    );
    eprintln!(
        "seed:   migrate {:.2?}, generate {:.2?}, analyze {:.2?}; total {:.2?} ({rate:.0} rows/s)",
        t_migrate, t_generate, t_analyze, total
    );

    if let Some(dir) = &args.out_dir {
        out::write(
            dir,
            &out::Summary {
                org,
                purchaser,
                sample: (0..m).find(|&i| owner_of(i) == 0).map(|i| subs[i].id),
                subscriptions: n_subs,
                assignments: n_assign,
                invoices: n_inv,
                users: n_users,
                write_licenses: per_target,
                seconds: total.as_secs_f64(),
                write_subscriptions: &write_subs,
                members: member_ids
                    .iter()
                    .skip(1)
                    .take(per_target)
                    .copied()
                    .collect(),
            },
        )?;
    }
    Ok(())
}
