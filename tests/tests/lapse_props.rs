#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Property, through the real use cases and database: over any sequence of
//! purchases, increases, decreases and renewals that ends in a lapse, under
//! either proration behaviour of the billing profile (PRODUCT.md §9), no
//! pending line (decrease credit, or increase charge under `next_invoice`)
//! is left waiting, each is invoiced exactly once, and the net charged is
//! unit price × license-days held, within each line's rounding (half a minor
//! unit per line; PRODUCT.md §2.4, §8).
//!
//! The expectation is counted from first principles (licenses held on each
//! day of each period), never by calling the code under test. Cases run
//! against one server's database (SQLite, or PostgreSQL with
//! `TEST_DATABASE_URL`), each with a subscription of its own.

use chrono::{DateTime, Days, NaiveDate, Utc};
use domain::billing::ProrationBehavior;
use domain::catalog::BillingFrequency;
use domain::license::LicenseCount;
use domain::user::Role;
use persistence::repos::{billing_profiles, invoices, subscriptions};
use persistence::rows::BillingProfileChangeset;
use persistence::write_transaction;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use tests::TestApp;
use usecases::subscriptions::{billing_run, change, purchase};
use usecases::{Actor, Error};
use uuid::Uuid;

const CRM: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01";

#[derive(Clone, Copy, Debug)]
enum Op {
    Increase(i64),
    Decrease(i64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (1i64..=20).prop_map(Op::Increase),
        (1i64..=20).prop_map(Op::Decrease),
    ]
}

#[derive(Clone, Debug)]
struct Case {
    start_day: u64,
    annual: bool,
    initial: i64,
    tax_bps: u32,
    /// The billing profile's `proration_behavior` is `next_invoice`.
    next_invoice: bool,
    /// Per paid period: (day offset seed, operation).
    periods: Vec<Vec<(u16, Op)>>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        0u64..730,
        prop::bool::weighted(0.2),
        1i64..=40,
        0u32..=3_000,
        any::<bool>(),
        prop::collection::vec(prop::collection::vec((any::<u16>(), op()), 0..6), 1..=3),
    )
        .prop_map(
            |(start_day, annual, initial, tax_bps, next_invoice, periods)| Case {
                start_day,
                annual,
                initial,
                tax_bps,
                next_invoice,
                periods,
            },
        )
}

fn noon(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(12, 0, 0).unwrap().and_utc()
}

fn fail(e: Error) -> TestCaseError {
    TestCaseError::fail(format!("{e:?}"))
}

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

#[actix_web::test]
async fn every_waiting_credit_is_settled_and_the_net_is_license_days() {
    let app = TestApp::spawn_at("2026-01-01").await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let (profile, card) = app.billing_setup(&ada).await;
    let caller = Actor {
        user_id: ada.user_id.into(),
        organization_id: ada.org.into(),
        role: Role::Member,
    };
    let state = app.state.clone();
    let product = state
        .services
        .catalog
        .get(CRM.parse().unwrap())
        .unwrap()
        .clone();
    let max = i64::from(product.max_licenses());
    let (profile, card): (Uuid, Uuid) = (profile.parse().unwrap(), card.parse().unwrap());

    let mut runner = TestRunner::new(Config {
        cases: 40,
        failure_persistence: None,
        ..Config::default()
    });
    let outcome = runner.run(&case(), |case| {
        let mut conn = state.services.db.pool().get().unwrap();
        let conn = &mut *conn;
        let tax = case.tax_bps;
        let outbox = &state.services.outbox;
        let frequency = if case.annual {
            BillingFrequency::Annual
        } else {
            BillingFrequency::Monthly
        };
        let unit = product.unit_price(frequency).amount();
        let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + Days::new(case.start_day);
        let behavior = if case.next_invoice {
            ProrationBehavior::NextInvoice
        } else {
            ProrationBehavior::InvoiceNow
        };
        let stored = billing_profiles::find(conn, profile.into())
            .unwrap()
            .unwrap();
        let mut changes = BillingProfileChangeset::from(&stored);
        changes.proration_behavior = behavior;
        billing_profiles::update(conn, stored.id, &changes).unwrap();
        let order = purchase::Order {
            kind: purchase::OrderKind::Buy {
                source: domain::subscription::SubscriptionSource::SelfService,
                product: product.clone(),
                licenses: LicenseCount::parse(case.initial, product.max_licenses()).unwrap(),
                frequency,
                billing_profile_id: profile.into(),
                payment_method_id: card.into(),
            },
            assign: None,
        };
        let bought = write_transaction(conn, |c| {
            purchase::place(c, &caller, outbox, order, tax, noon(start))
        })
        .map_err(fail)?;
        let id = bought.row.id;
        let mut period = bought.period.unwrap();
        let mut licenses = case.initial;
        // (period_days, license-days held) per period.
        let mut held: Vec<(i64, i64)> = vec![];
        let (mut decreases, mut increases) = (0usize, 0usize);

        for (index, ops) in case.periods.iter().enumerate() {
            if index > 0 {
                let report = billing_run::run(conn, outbox, period.end(), tax, noon(period.end()))
                    .map_err(fail)?;
                prop_assert_eq!(report.renewals, 1);
                let row = subscriptions::find(conn, caller.organization_id, id)
                    .unwrap()
                    .unwrap();
                prop_assert_eq!(row.current_period_start, Some(period.end()));
                period = usecases::subscriptions::Loaded::parse(row, period.end())
                    .map_err(fail)?
                    .period
                    .unwrap();
            }
            let days = period.days();
            let mut ops: Vec<(i64, Op)> = ops
                .iter()
                .map(|&(seed, op)| (i64::from(seed) % days, op))
                .collect();
            ops.sort_by_key(|&(offset, _)| offset);
            let (mut license_days, mut since) = (0i64, 0i64);
            for (offset, op) in ops {
                let today = period.start() + Days::new(offset as u64);
                let wanted = match op {
                    Op::Increase(k) => licenses + k,
                    Op::Decrease(k) => licenses - k,
                };
                let patch = change::Patch {
                    license_count: Some(wanted),
                    auto_renew: None,
                    quote_id: None,
                };
                let result = write_transaction(conn, |c| {
                    change::apply(
                        c,
                        &caller,
                        outbox,
                        &state.services.catalog,
                        id,
                        Some("*"),
                        patch,
                        tax,
                        noon(today),
                    )
                });
                if !(1..=max).contains(&wanted) {
                    prop_assert!(
                        matches!(
                            result,
                            Err(Error::Invalid(usecases::Invalid::LicenseCount { .. }))
                        ),
                        "{:?}",
                        result.map(|_| ())
                    );
                    continue;
                }
                result.map_err(fail)?;
                license_days += licenses * (offset - since);
                since = offset;
                decreases += usize::from(wanted < licenses);
                increases += usize::from(wanted > licenses);
                licenses = wanted;
            }
            license_days += licenses * (days - since);
            held.push((days, license_days));
        }

        // Auto-renew off on the period's last day, then the lapse.
        let last_day = period.end() - Days::new(1);
        write_transaction(conn, |c| {
            change::apply(
                c,
                &caller,
                outbox,
                &state.services.catalog,
                id,
                Some("*"),
                change::Patch {
                    license_count: None,
                    auto_renew: Some(false),
                    quote_id: None,
                },
                tax,
                noon(last_day),
            )
        })
        .map_err(fail)?;
        let waiting = !invoices::open_credits(conn, id).unwrap().is_empty();
        let report =
            billing_run::run(conn, outbox, period.end(), tax, noon(period.end())).map_err(fail)?;
        prop_assert_eq!(
            (report.lapsed, report.renewals, report.credits_settled),
            (1, 0, usize::from(waiting))
        );
        let again =
            billing_run::run(conn, outbox, period.end(), tax, noon(period.end())).map_err(fail)?;
        prop_assert_eq!(again, billing_run::Report::default());

        prop_assert!(
            invoices::open_credits(conn, id).unwrap().is_empty(),
            "a credit was left waiting"
        );
        let row = subscriptions::find(conn, caller.organization_id, id)
            .unwrap()
            .unwrap();
        prop_assert_eq!(row.status.as_str(), "expired");

        let filter = invoices::Filter {
            subscription: Some(id.to_string()),
            ..Default::default()
        };
        let issued = invoices::list(
            conn,
            caller.organization_id,
            ada.user_id.into(),
            &filter,
            None,
            10_000,
        )
        .unwrap();
        let ids: Vec<_> = issued.iter().map(|i| i.id).collect();
        let lines = invoices::lines(conn, &ids).unwrap();
        for invoice in &issued {
            let sum: i64 = lines
                .iter()
                .filter(|l| l.invoice_id == invoice.id)
                .map(|l| l.amount)
                .sum();
            prop_assert_eq!(invoice.subtotal, sum);
            prop_assert_eq!(invoice.total, invoice.subtotal + invoice.tax);
            let exact = i128::from(invoice.subtotal) * i128::from(tax);
            prop_assert!(2 * (i128::from(invoice.tax) * 10_000 - exact).abs() <= 10_000);
            prop_assert_eq!(invoice.status.as_str() == "credited", invoice.total < 0);
        }
        let credit_lines = lines
            .iter()
            .filter(|l| l.kind.as_str() == "prorated_decrease_credit")
            .count();
        prop_assert_eq!(
            credit_lines,
            decreases,
            "each decrease credited exactly once"
        );
        let increase_lines = lines
            .iter()
            .filter(|l| l.kind.as_str() == "prorated_increase")
            .count();
        prop_assert_eq!(
            increase_lines,
            increases,
            "each increase charged exactly once"
        );
        let own_invoices = issued
            .iter()
            .filter(|i| i.reason == "license_increase")
            .count();
        prop_assert_eq!(
            own_invoices,
            if case.next_invoice { 0 } else { increases },
            "invoice_now: an invoice per increase; next_invoice: none"
        );
        let settlements: Vec<_> = issued
            .iter()
            .filter(|i| i.reason == "credit_settlement")
            .collect();
        prop_assert_eq!(settlements.len(), usize::from(waiting));
        for settlement in settlements {
            prop_assert!(lines
                .iter()
                .filter(|l| l.invoice_id == settlement.id)
                .all(|l| l.kind.as_str() == "prorated_decrease_credit"
                    || (case.next_invoice && l.kind.as_str() == "prorated_increase")));
        }

        // net ≈ Σ unit × license_days / period_days, each line off by at most
        // ½: compared over a common denominator.
        let net: i128 = issued.iter().map(|i| i128::from(i.subtotal)).sum();
        let common = held.iter().fold(1i128, |acc, &(d, _)| {
            acc / gcd(acc, i128::from(d)) * i128::from(d)
        });
        let expected: i128 = held
            .iter()
            .map(|&(d, ld)| i128::from(unit) * i128::from(ld) * (common / i128::from(d)))
            .sum();
        let count = lines.len() as i128;
        prop_assert!(
            2 * (net * common - expected).abs() <= count * common,
            "net {} expected {}/{} over {} lines",
            net,
            expected,
            common,
            count
        );
        Ok(())
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
}
