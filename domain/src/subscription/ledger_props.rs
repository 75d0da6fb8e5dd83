//! Property: over any sequence of operations on one subscription, what the
//! customer is charged is what they held, license-day by license-day — under
//! either proration behaviour of the billing profile (an increase invoiced at
//! once, or carried by the next invoice), which moves money in time but never
//! changes how much.
//!
//! The expectation is counted from first principles (licenses held on each
//! day of each period), never by calling the functions under test.

use super::*;
use crate::billing::{strategies, ProrationBehavior};
use crate::catalog::{Catalog, Product, ProductDraft};
use crate::invoice::{status_for, totals, InvoiceStatus, LineKind};
use crate::money::Currency;
use chrono::Days;
use proptest::prelude::*;

const MAX_LICENSES: u32 = 10_000;

#[derive(Clone, Copy, Debug)]
enum Op {
    Increase(u32),
    /// 0 asks for the current count (unchanged); going below 1 or below the
    /// assigned licenses must be refused.
    Decrease(u32),
    Assign(u32),
    Unassign(u32),
    Cancel,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (1u32..=20).prop_map(Op::Increase),
        3 => (0u32..=20).prop_map(Op::Decrease),
        2 => (1u32..=20).prop_map(Op::Assign),
        1 => (1u32..=20).prop_map(Op::Unassign),
        1 => Just(Op::Cancel),
    ]
}

fn product(unit: i64) -> Product {
    let draft = ProductDraft {
        id: "7f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01".to_owned(),
        name: "Contoso CRM".to_owned(),
        description: String::new(),
        currency: "USD".to_owned(),
        monthly_price: unit,
        annual_price: unit,
        max_licenses: MAX_LICENSES,
        trial_days: None,
        trial_max_licenses: None,
    };
    Catalog::from_drafts(vec![draft]).unwrap().products()[0].clone()
}

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// The customer's side of the story, kept by hand.
struct Ledger {
    /// Invoices as issued: one per operation that invoices at once.
    invoices: Vec<Vec<InvoiceLine>>,
    /// The kind of each invoice's own line (`None`: only pending lines).
    reasons: Vec<Option<LineKind>>,
    /// Decrease credits, and increases under `next_invoice`, waiting for the
    /// next invoice.
    pending: Vec<InvoiceLine>,
    /// Every line with the length of the period it belongs to.
    lines: Vec<(InvoiceLine, i64)>,
    /// (period_days, license-days held) per period.
    held: Vec<(i64, i64)>,
}

impl Ledger {
    fn issue(&mut self, line: Option<InvoiceLine>, period_days: i64) {
        let mut invoice: Vec<_> = self.pending.drain(..).collect();
        self.reasons.push(line.as_ref().map(|l| l.kind));
        if let Some(line) = line {
            self.lines.push((line.clone(), period_days));
            invoice.push(line);
        }
        self.invoices.push(invoice);
    }

    fn defer(&mut self, line: InvoiceLine, period_days: i64) {
        self.lines.push((line.clone(), period_days));
        self.pending.push(line);
    }

    /// Stores what the domain decided for a count change.
    fn settle(&mut self, settlement: Settlement, period_days: i64) {
        match settlement {
            Settlement::InvoiceNow(line) => self.issue(Some(line), period_days),
            Settlement::NextInvoice(line) => self.defer(line, period_days),
            Settlement::Nothing => {}
        }
    }

    fn net(&self) -> i64 {
        self.lines.iter().map(|(l, _)| l.amount.amount()).sum()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn charges_match_license_days_and_invoices_add_up(
        start in strategies::date(),
        frequency in strategies::frequency(),
        unit in 1i64..=1_000_000,
        tax_bps in 0u32..=3_000,
        initial in 1u32..=50,
        converted in any::<bool>(),
        behavior in prop::sample::select(ProrationBehavior::ALL.to_vec()),
        periods in prop::collection::vec(
            prop::collection::vec((any::<u16>(), op()), 0..8),
            1..=4,
        ),
    ) {
        let usd = Currency::parse("USD").unwrap();
        let product = product(unit);
        let mut licenses = LicenseCount::parse(i64::from(initial), MAX_LICENSES).unwrap();
        let plan = if converted {
            convert_trial(&product, licenses, frequency, start)
        } else {
            purchase(&product, licenses, frequency, start)
        }
        .unwrap();
        let unit_price = plan.unit_price;
        let mut period = plan.period;
        let mut ledger = Ledger {
            invoices: vec![],
            reasons: vec![],
            pending: vec![],
            lines: vec![],
            held: vec![],
        };
        ledger.issue(Some(plan.line), period.days());

        let mut assigned = 0u32;
        let mut count_changed = false;
        let mut fully_refunded = false;
        'periods: for (index, ops) in periods.iter().enumerate() {
            if index > 0 {
                let (next, line) = renewal(licenses, unit_price, &period, frequency).unwrap();
                prop_assert_eq!(next.start(), period.end());
                ledger.issue(Some(line), next.days());
                period = next;
            }
            let days = period.days();
            let mut ops: Vec<(i64, Op)> =
                ops.iter().map(|&(raw, op)| (i64::from(raw) % days, op)).collect();
            ops.sort_by_key(|&(offset, _)| offset);

            // License-days: licenses held from `since` up to each change.
            let (mut license_days, mut since) = (0i64, 0i64);
            for (offset, op) in ops {
                let today = period.start() + Days::new(offset as u64);
                let held = i64::from(licenses.get());
                match op {
                    Op::Assign(k) => assigned = (assigned + k).min(licenses.get()),
                    Op::Unassign(k) => assigned = assigned.saturating_sub(k),
                    Op::Increase(k) | Op::Decrease(k) => {
                        let wanted = match op {
                            Op::Increase(_) => held + i64::from(k),
                            _ => held - i64::from(k),
                        };
                        let Ok(new) = LicenseCount::parse(wanted, MAX_LICENSES) else {
                            prop_assert!(wanted < 1);
                            continue;
                        };
                        let change =
                            change_count(licenses, new, assigned, unit_price, &period, today);
                        if new.get() < assigned {
                            prop_assert_eq!(change, Err(CountChangeError::BelowAssigned { assigned }));
                            continue;
                        }
                        license_days += held * (offset - since);
                        since = offset;
                        let change = change.unwrap();
                        match &change {
                            CountChange::Unchanged => prop_assert_eq!(new, licenses),
                            CountChange::Increase { added, .. } => {
                                prop_assert_eq!(*added, new.get() - licenses.get());
                            }
                            CountChange::Decrease { removed, .. } => {
                                prop_assert_eq!(*removed, licenses.get() - new.get());
                            }
                        }
                        ledger.settle(change.settle(behavior), days);
                        count_changed |= new != licenses;
                        licenses = new;
                    }
                    Op::Cancel => {
                        license_days += held * (offset - since);
                        ledger.held.push((days, license_days));
                        let line = if in_refund_window(start, today) {
                            fully_refunded = true;
                            let charged = Money::new(ledger.net(), usd);
                            let exact = full_refund(charged, &period).unwrap();
                            if !count_changed {
                                // Nothing changed since the purchase: the
                                // simple rule gives the same money.
                                let simple = cancellation_credit(
                                    licenses, unit_price, &period, start, today,
                                ).unwrap();
                                prop_assert_eq!(simple.amount, exact.amount);
                            }
                            exact
                        } else {
                            cancellation_credit(licenses, unit_price, &period, start, today)
                                .unwrap()
                        };
                        ledger.issue(Some(line), days);
                        break 'periods;
                    }
                }
            }
            license_days += i64::from(licenses.get()) * (days - since);
            ledger.held.push((days, license_days));
        }
        if !ledger.pending.is_empty() {
            // Credits still waiting go on the next invoice, whatever it is.
            ledger.issue(None, 0);
        }

        // Every line is on exactly one invoice: nothing pending is dropped
        // or carried twice.
        let invoiced: Vec<&InvoiceLine> = ledger.invoices.iter().flatten().collect();
        prop_assert_eq!(invoiced.len(), ledger.lines.len());
        let invoiced_sum: i64 = invoiced.iter().map(|l| l.amount.amount()).sum();
        prop_assert_eq!(invoiced_sum, ledger.net());
        // `invoice_now` issues an invoice per increase; `next_invoice` never
        // does: its increases ride on a renewal, cancellation or settlement.
        let own_increases = ledger
            .reasons
            .iter()
            .filter(|r| **r == Some(LineKind::ProratedIncrease))
            .count();
        let increases = ledger
            .lines
            .iter()
            .filter(|(l, _)| l.kind == LineKind::ProratedIncrease)
            .count();
        match behavior {
            ProrationBehavior::InvoiceNow => prop_assert_eq!(own_increases, increases),
            ProrationBehavior::NextInvoice => prop_assert_eq!(own_increases, 0),
        }

        for invoice in &ledger.invoices {
            let t = totals(invoice, usd, tax_bps).unwrap();
            let sum: i64 = invoice.iter().map(|l| l.amount.amount()).sum();
            prop_assert_eq!(t.subtotal.amount(), sum);
            prop_assert_eq!(t.total.amount(), t.subtotal.amount() + t.tax.amount());
            let exact_tax = i128::from(sum) * i128::from(tax_bps);
            prop_assert!(2 * (i128::from(t.tax.amount()) * 10_000 - exact_tax).abs() <= 10_000);
            prop_assert_eq!(status_for(&t.total) == InvoiceStatus::Credited, t.total.amount() < 0);
        }

        for (line, period_days) in &ledger.lines {
            // Each line is its own proration, within half a minor unit, and
            // credits are negative quantities.
            let covered = (line.period_end - line.period_start).num_days();
            let exact = i128::from(line.unit_amount.amount())
                * i128::from(line.quantity)
                * i128::from(covered);
            let error = (i128::from(line.amount.amount()) * i128::from(*period_days) - exact).abs();
            prop_assert!(2 * error <= i128::from(*period_days), "{:?}", line);
            prop_assert_eq!(line.kind.is_credit(), line.quantity < 0, "{:?}", line);
        }

        let net = i128::from(ledger.net());
        if fully_refunded {
            prop_assert_eq!(net, 0);
        } else {
            // net ≈ Σ unit × license_days / period_days, each line off by at
            // most ½: compare over a common denominator.
            let common = ledger.held.iter().fold(1i128, |acc, &(d, _)| {
                acc / gcd(acc, i128::from(d)) * i128::from(d)
            });
            let expected: i128 = ledger
                .held
                .iter()
                .map(|&(d, ld)| i128::from(unit) * i128::from(ld) * (common / i128::from(d)))
                .sum();
            let lines = ledger.lines.len() as i128;
            prop_assert!(
                2 * (net * common - expected).abs() <= lines * common,
                "net {} expected {}/{} over {} lines", net, expected, common, lines
            );
        }
    }
}
