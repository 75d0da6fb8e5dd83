#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Every CSV the service writes is safe to open in a spreadsheet: text that
//! would run as a formula gets a leading `'`, while amounts stay numbers.

use tests::{json, Actor, Method, TestApp};
use uuid::Uuid;

const CRM: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01";
const FORMULAS: [&str; 4] = ["=HYPERLINK(\"http://x\",\"y\")", "+cmd", "@SUM(1)", "-2+3"];

async fn csv_rows(app: &TestApp, path: &str, actor: &Actor) -> Vec<csv::StringRecord> {
    let mut response = awc::Client::default()
        .get(format!("{}{path}", app.base))
        .insert_header(("Authorization", format!("Bearer {}", actor.token)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200, "{path}");
    let bytes = response.body().limit(10 << 20).await.unwrap();
    let mut reader = csv::Reader::from_reader(&bytes[..]);
    let mut rows = vec![reader.headers().unwrap().clone()];
    rows.extend(reader.records().map(Result::unwrap));
    rows
}

fn column(header: &csv::StringRecord, name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

/// A member whose token names them `name`.
async fn member_named(app: &TestApp, org: Uuid, name: &str) -> Actor {
    let user_id = Uuid::new_v4();
    let mut claims = TestApp::claims(org, user_id, false);
    claims["name"] = json!(name);
    let actor = Actor {
        user_id,
        org,
        token: app.sign(&claims),
    };
    let me = app.get("/v1/me", &actor).await;
    assert_eq!(me.status, 200, "{me:?}");
    assert_eq!(me.body["user"]["display_name"], json!(name));
    actor
}

/// A billing profile named `name` (its PO number too) and a one-license purchase on it.
async fn buy_as(app: &TestApp, actor: &Actor, name: &str) -> String {
    let (profile, pm) = app.billing_setup(actor).await;
    let reply = app
        .call(
            Method::PATCH,
            &format!("/v1/billing-profiles/{profile}"),
            Some(&actor.token),
            Some(&json!({"name": name, "po_number": name})),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let reply = app
        .post(
            "/v1/subscriptions",
            actor,
            json!({"product_id": CRM, "license_count": 1, "billing_frequency": "monthly", "billing_profile_id": profile, "payment_method_id": pm}),
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    reply.body["id"].as_str().unwrap().to_owned()
}

fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix('-').unwrap_or(cell);
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
}

#[actix_web::test]
async fn formula_text_is_neutralised_in_every_csv_and_amounts_stay_numbers() {
    let app = TestApp::spawn_at("2026-03-01").await;
    let org = Uuid::new_v4();
    let admin = app.signed_in(org, true).await;
    let mut purchasers = Vec::new();
    for name in FORMULAS {
        let actor = member_named(&app, org, name).await;
        let subscription = buy_as(&app, &actor, name).await;
        purchasers.push((name, actor, subscription));
    }
    // A cancellation issues a credit invoice: negative amounts.
    app.set_today("2026-03-20");
    let (_, canceller, subscription) = &purchasers[3];
    let reply = app
        .post(
            &format!("/v1/subscriptions/{subscription}/cancel"),
            canceller,
            json!({"reason": "other"}),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");

    // The admin export: every purchaser's display name neutralised.
    let rows = csv_rows(&app, "/v1/admin/subscriptions.csv", &admin).await;
    let (header, rows) = rows.split_first().unwrap();
    assert_eq!(rows.len(), FORMULAS.len());
    let (name, id, price) = (
        column(header, "purchaser_name"),
        column(header, "subscription_id"),
        column(header, "unit_price"),
    );
    for (formula, _, subscription) in &purchasers {
        let row = rows.iter().find(|r| &r[id] == subscription).unwrap();
        assert_eq!(&row[name], format!("'{formula}"), "{row:?}");
        assert_eq!(&row[price], "12.50");
        assert_eq!(&row[column(header, "license_count")], "1");
    }

    // Each purchaser's invoice export: the bill-to name and PO number neutralised.
    for (formula, actor, _) in &purchasers {
        let rows = csv_rows(&app, "/v1/invoices.csv", actor).await;
        let (header, rows) = rows.split_first().unwrap();
        assert!(!rows.is_empty());
        for row in rows {
            assert_eq!(&row[column(header, "bill_to_name")], format!("'{formula}"));
            assert_eq!(&row[column(header, "po_number")], format!("'{formula}"));
            for numeric in [
                "quantity",
                "unit_amount",
                "amount",
                "subtotal",
                "tax",
                "total",
            ] {
                let cell = &row[column(header, numeric)];
                assert!(is_plain_number(cell), "{numeric} = {cell:?}");
            }
        }
    }

    // The credit invoice: its amounts are negative numbers, not neutralised text.
    let rows = csv_rows(&app, "/v1/invoices.csv", canceller).await;
    let (header, rows) = rows.split_first().unwrap();
    let json = app.get("/v1/invoices", canceller).await.body["data"].clone();
    let credit = json
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["status"] == json!("credited"))
        .expect("a credit invoice")
        .clone();
    let decimal = |minor: i64| {
        assert!(minor < 0, "a credit is negative");
        format!("-{}.{:02}", -minor / 100, -minor % 100)
    };
    let row = rows
        .iter()
        .find(|r| r[column(header, "invoice_number")].parse().ok() == credit["number"].as_i64())
        .unwrap();
    let line = credit["lines"][0]["amount"]["amount"].as_i64().unwrap();
    assert_eq!(&row[column(header, "amount")], decimal(line), "{row:?}");
    let total = credit["total"]["amount"].as_i64().unwrap();
    assert_eq!(&row[column(header, "total")], decimal(total));
    assert_eq!(&row[column(header, "quantity")], "-1");
    assert!(!row.iter().any(|cell| cell.starts_with("'-1")), "{row:?}");
}
