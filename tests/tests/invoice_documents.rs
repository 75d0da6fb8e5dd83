#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Invoice PDFs people can read: an embedded Unicode font (Polish and other
//! Latin scripts extract with `pdftotext`), the profile's language and tax
//! number, the seller from the catalog, and columns that never overlap
//! (checked on `pdftotext -bbox` word boxes). Needs poppler-utils.

use serde_json::Value;
use tests::{json, Actor, Method, TestApp};
use uuid::Uuid;

const CRM: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01";
const POLISH_NAME: &str = "Zażółć gęślą jaźń Sp. z o.o.";
const SELLER: &str = "Selfserve Demo Sp. z o.o.";
const SELLER_TAX_ID: &str = "PL 7250000000";

/// A card and a billing profile with `fields` over the defaults; returns (profile, card).
async fn profile_with(app: &TestApp, actor: &Actor, fields: Value) -> (String, String) {
    let card = json!({
        "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2040, "cvc": "123", "holder_name": "Test Purchaser"},
        "billing_address": {"line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"}
    });
    let reply = app.post("/v1/payment-methods", actor, card).await;
    let pm = match reply.status {
        201 => reply.body["id"].as_str().unwrap().to_owned(),
        409 => reply.body["existing_id"].as_str().unwrap().to_owned(),
        _ => panic!("card: {reply:?}"),
    };
    let account = app.get("/v1/billing-accounts", actor).await.body["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut body = json!({
        "name": "Team", "invoice_email": "ap@example.com", "payment_method_id": pm,
        "bill_to": {"line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"}
    });
    for (k, v) in fields.as_object().unwrap() {
        body[k] = v.clone();
    }
    let reply = app
        .post(
            &format!("/v1/billing-accounts/{account}/billing-profiles"),
            actor,
            body,
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    (reply.body["id"].as_str().unwrap().to_owned(), pm)
}

/// Buys `licenses` monthly on `profile`; returns the purchase invoice's id.
async fn buy_on(app: &TestApp, actor: &Actor, profile: &str, pm: &str, licenses: i64) -> String {
    let reply = app
        .post(
            "/v1/subscriptions",
            actor,
            json!({"product_id": CRM, "license_count": licenses, "billing_frequency": "monthly", "billing_profile_id": profile, "payment_method_id": pm}),
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    let list = app.get("/v1/invoices", actor).await;
    list.body["data"][0]["id"].as_str().unwrap().to_owned()
}

async fn pdf(app: &TestApp, actor: &Actor, invoice: &str) -> Vec<u8> {
    let mut response = awc::Client::default()
        .get(format!("{}/v1/invoices/{invoice}/pdf", app.base))
        .insert_header(("Authorization", format!("Bearer {}", actor.token)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    response.body().limit(10 << 20).await.unwrap().to_vec()
}

fn pdftotext(bytes: &[u8], args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("invoice.pdf");
    std::fs::write(&path, bytes).unwrap();
    let output = std::process::Command::new("pdftotext")
        .args(args)
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed for these tests");
    assert!(
        output.status.success(),
        "pdftotext: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[derive(Debug)]
struct Word {
    page: usize,
    text: String,
    x_min: f64,
    y_min: f64,
    x_max: f64,
    y_max: f64,
}

fn attr(tag: &str, name: &str) -> f64 {
    let start = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
    let end = start + tag[start..].find('"').unwrap();
    tag[start..end].parse().unwrap()
}

/// Every word box of the `pdftotext -bbox` output, and each page's size.
fn word_boxes(bytes: &[u8]) -> (Vec<(f64, f64)>, Vec<Word>) {
    let html = pdftotext(bytes, &["-bbox"]);
    let (mut pages, mut words) = (Vec::new(), Vec::new());
    for line in html.lines().map(str::trim) {
        if line.starts_with("<page ") {
            pages.push((attr(line, "width"), attr(line, "height")));
        } else if line.starts_with("<word ") {
            let text = line[line.find('>').unwrap() + 1..line.rfind("</word>").unwrap()].to_owned();
            words.push(Word {
                page: pages.len(),
                text,
                x_min: attr(line, "xMin"),
                y_min: attr(line, "yMin"),
                x_max: attr(line, "xMax"),
                y_max: attr(line, "yMax"),
            });
        }
    }
    (pages, words)
}

/// No two word boxes on a page intersect, and every box lies inside its page.
fn assert_no_overlap(pages: &[(f64, f64)], words: &[Word]) {
    for w in words {
        let (width, height) = pages[w.page - 1];
        assert!(
            w.x_min >= 0.0 && w.y_min >= 0.0 && w.x_max <= width && w.y_max <= height,
            "outside the page: {w:?}"
        );
    }
    for (i, a) in words.iter().enumerate() {
        for b in &words[i + 1..] {
            let overlap_x = a.x_max.min(b.x_max) - a.x_min.max(b.x_min);
            let overlap_y = a.y_max.min(b.y_max) - a.y_min.max(b.y_min);
            assert!(
                a.page != b.page || overlap_x <= 0.01 || overlap_y <= 0.01,
                "overlapping words: {a:?} and {b:?}"
            );
        }
    }
}

#[actix_web::test]
async fn a_polish_invoice_reads_right_names_seller_and_tax_id_and_nothing_overlaps() {
    let app = TestApp::spawn_at("2026-03-01").await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    // 100 characters on one bill-to line: more than half the page can hold.
    let long_line = format!("ul. Wyjątkowo Długa {}", "Ślężna ".repeat(12))
        .chars()
        .take(100)
        .collect::<String>();
    assert_eq!(long_line.chars().count(), 100);
    let (profile, pm) = profile_with(
        &app,
        &ada,
        json!({
            "name": POLISH_NAME, "invoice_language": "pl", "tax_id": "PL 526-000-12-46",
            "bill_to": {"line1": long_line, "line2": "„Biurowiec” – piętro 3", "city": "Łódź", "postal_code": "90-001", "country": "PL"},
        }),
    )
    .await;
    let invoice = buy_on(&app, &ada, &profile, &pm, 150).await;
    let json_invoice = app.get(&format!("/v1/invoices/{invoice}"), &ada).await.body;
    assert_eq!(json_invoice["bill_to"]["tax_id"], json!("PL 526-000-12-46"));
    assert_eq!(json_invoice["bill_to"]["invoice_language"], json!("pl"));

    let bytes = pdf(&app, &ada, &invoice).await;
    let text = pdftotext(&bytes, &[]);
    for expected in [
        POLISH_NAME,
        "Łódź",
        "Faktura 1",
        "PL 526-000-12-46",
        SELLER,
        SELLER_TAX_ID,
        "„Biurowiec” – piętro 3",
        "Nabywca",
        "Sprzedawca",
        "Razem",
        "Ilość",
        "150",
        // 150 × 12.50 with a decimal comma (the group separator is a no-break space)
        "875,00 USD",
        "Strona 1 z 1",
    ] {
        assert!(text.contains(expected), "{expected:?} missing in:\n{text}");
    }
    assert!(!text.contains("Invoice"), "labels are Polish:\n{text}");
    assert!(!text.contains('?'), "every character has a glyph:\n{text}");

    let (pages, words) = word_boxes(&bytes);
    assert_eq!(pages.len(), 1);
    assert_no_overlap(&pages, &words);
    // The long line wrapped: its words are all there, and on more than one line.
    let long_words: Vec<&Word> = words
        .iter()
        .filter(|w| w.text == "Ślężna" || w.text == "Wyjątkowo")
        .collect();
    assert!(long_words.len() >= 10, "{long_words:?}");
    let lines: std::collections::BTreeSet<i64> =
        long_words.iter().map(|w| w.y_min.round() as i64).collect();
    assert!(lines.len() >= 2, "the 100-character line wraps: {lines:?}");
    let quantity = words
        .iter()
        .find(|w| w.text == "150")
        .expect("the quantity");
    assert!(quantity.x_max < pages[0].0 - 50.0);
}

#[actix_web::test]
async fn an_english_profile_gets_an_english_invoice_and_the_snapshot_stays() {
    let app = TestApp::spawn_at("2026-03-01").await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let (profile, pm) = profile_with(&app, &ada, json!({"name": "Contoso – “Marketing”"})).await;
    let reply = app
        .get(&format!("/v1/billing-profiles/{profile}"), &ada)
        .await;
    assert_eq!(reply.body["invoice_language"], json!("en"), "the default");
    assert_eq!(reply.body["tax_id"], Value::Null);
    let invoice = buy_on(&app, &ada, &profile, &pm, 150).await;

    // Changing the profile after issue changes no issued invoice.
    let reply = app
        .call(
            Method::PATCH,
            &format!("/v1/billing-profiles/{profile}"),
            Some(&ada.token),
            Some(&json!({"invoice_language": "pl", "tax_id": "DE123456789", "name": "Renamed"})),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");

    let bytes = pdf(&app, &ada, &invoice).await;
    let text = pdftotext(&bytes, &[]);
    for expected in [
        "Invoice 1",
        "Contoso – “Marketing”",
        "Bill to",
        "Seller",
        SELLER,
        "Tax ID: PL 7250000000",
        "1,875.00 USD",
        "Total",
        "Page 1 of 1",
    ] {
        assert!(text.contains(expected), "{expected:?} missing in:\n{text}");
    }
    assert!(
        !text.contains("Faktura") && !text.contains("Renamed"),
        "{text}"
    );
    assert!(!text.contains("DE123456789"), "{text}");
    let (pages, words) = word_boxes(&bytes);
    assert_no_overlap(&pages, &words);
}

#[actix_web::test]
async fn a_long_invoice_paginates_without_overlap() {
    let app = TestApp::spawn_at("2026-01-01").await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let (profile, pm) = profile_with(&app, &ada, json!({"invoice_language": "pl"})).await;
    buy_on(&app, &ada, &profile, &pm, 200).await;
    let id = app.get("/v1/subscriptions", &ada).await.body["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Each decrease leaves a credit for the renewal invoice: one line each.
    app.set_today("2026-01-10");
    for count in (160..200).rev() {
        let tag = app
            .get(&format!("/v1/subscriptions/{id}"), &ada)
            .await
            .header("etag")
            .unwrap();
        let reply = app
            .send(
                Method::PATCH,
                &format!("/v1/subscriptions/{id}"),
                &ada,
                &[("If-Match", &tag)],
                Some(&json!({"license_count": count})),
            )
            .await;
        assert_eq!(reply.status, 200, "{reply:?}");
    }
    app.billing_run("2026-02-01");
    app.set_today("2026-02-01");
    let renewal = app.get("/v1/invoices", &ada).await.body["data"][0].clone();
    assert_eq!(renewal["lines"].as_array().unwrap().len(), 41);
    let bytes = pdf(&app, &ada, renewal["id"].as_str().unwrap()).await;
    let (pages, words) = word_boxes(&bytes);
    assert!(pages.len() >= 2, "41 lines need a second page");
    assert_no_overlap(&pages, &words);
    let text = pdftotext(&bytes, &[]);
    let last = format!("Strona {0} z {0}", pages.len());
    assert!(
        text.contains("Strona 1 z") && text.contains(&last),
        "{text}"
    );
    assert_eq!(text.matches("Razem").count(), 1, "totals once, at the end");
    let doc = lopdf::Document::load_mem(&bytes).expect("a PDF lopdf opens");
    assert_eq!(doc.get_pages().len(), pages.len());
}

#[actix_web::test]
async fn invoice_language_and_tax_id_are_validated_on_create_and_patch() {
    let app = TestApp::spawn().await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let (profile, _) = profile_with(&app, &ada, json!({"tax_id": "  PL 123/45.6-7  "})).await;
    let path = format!("/v1/billing-profiles/{profile}");
    let before = app.get(&path, &ada).await.body;
    assert_eq!(before["tax_id"], json!("PL 123/45.6-7"), "trimmed");
    let account = before["billing_account_id"].as_str().unwrap().to_owned();
    let create = format!("/v1/billing-accounts/{account}/billing-profiles");
    let base = json!({
        "name": "Team", "invoice_email": "ap@example.com",
        "bill_to": {"line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"}
    });
    let bad: Vec<(&str, Value)> = vec![
        ("invoice_language", json!("de")),
        ("invoice_language", json!("PL")),
        ("invoice_language", json!(7)),
        ("tax_id", json!("")),
        ("tax_id", json!("   ")),
        ("tax_id", json!("1".repeat(33))),
        ("tax_id", json!("=HYPERLINK(1)")),
        ("tax_id", json!("PL_123")),
        ("tax_id", json!("12\u{202e}34")),
        ("tax_id", json!(12345)),
    ];
    for (field, value) in &bad {
        let mut body = base.clone();
        body[*field] = value.clone();
        let reply = app.post(&create, &ada, body).await;
        assert_eq!(
            (reply.status, reply.code(), reply.body["field"].as_str()),
            (422, "invalid_field", Some(*field)),
            "create {field}={value}: {reply:?}"
        );
        let detail = reply.body["detail"].as_str().unwrap();
        assert!(
            detail.contains(field),
            "plain words naming the field: {detail}"
        );
        let reply = app
            .call(
                Method::PATCH,
                &path,
                Some(&ada.token),
                Some(&json!({ *field: value })),
            )
            .await;
        assert_eq!(
            (reply.status, reply.code(), reply.body["field"].as_str()),
            (422, "invalid_field", Some(*field)),
            "patch {field}={value}: {reply:?}"
        );
    }
    let list = app
        .get(
            &format!("/v1/billing-accounts/{account}/billing-profiles"),
            &ada,
        )
        .await;
    assert_eq!(
        list.body["data"].as_array().unwrap().len(),
        1,
        "nothing created"
    );
    assert_eq!(app.get(&path, &ada).await.body, before, "nothing changed");

    // Leaving tax_id out keeps it; null clears it; a value sets it.
    let patch = |body: Value| {
        let (app, path, token) = (&app, &path, &ada.token);
        async move {
            app.call(Method::PATCH, path, Some(token), Some(&body))
                .await
        }
    };
    let reply = patch(json!({"invoice_language": "pl"})).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["invoice_language"], json!("pl"));
    assert_eq!(reply.body["tax_id"], json!("PL 123/45.6-7"));
    let reply = patch(json!({"tax_id": null})).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["tax_id"], Value::Null);
    assert_eq!(reply.body["invoice_language"], json!("pl"), "kept");
    let reply = patch(json!({"tax_id": "DE123456789", "invoice_language": "en"})).await;
    assert_eq!(
        (&reply.body["tax_id"], &reply.body["invoice_language"]),
        (&json!("DE123456789"), &json!("en"))
    );
    let reply = patch(json!({"invoice_language": null})).await;
    assert_eq!(reply.body["invoice_language"], json!("en"), "null keeps it");
}
