#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Invoice PDFs and CSVs, and the admins' read-only view.

use tests::{json, Method, TestApp};
use uuid::Uuid;

const CRM: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01";

async fn raw(app: &TestApp, path: &str, token: &str) -> (u16, String, String, Vec<u8>) {
    let client = awc::Client::default();
    let mut response = client
        .get(format!("{}{}", app.base, path))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .send()
        .await
        .unwrap();
    let header = |n: &str| {
        response
            .headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (ct, cd) = (header("content-type"), header("content-disposition"));
    let body = response.body().limit(10 << 20).await.unwrap().to_vec();
    (response.status().as_u16(), ct, cd, body)
}

#[actix_web::test]
async fn an_invoice_pdf_opens_and_shows_number_bill_to_and_total() {
    let app = TestApp::spawn_at("2026-03-01").await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    app.buy(&ada, CRM, 7).await;
    let invoice = app.get("/v1/invoices", &ada).await.body["data"][0].clone();
    assert_eq!(invoice["bill_to"]["name"], json!("Team"));
    assert_eq!(invoice["bill_to"]["address"]["country"], json!("US"));
    let id = invoice["id"].as_str().unwrap();
    let (status, content_type, disposition, bytes) =
        raw(&app, &format!("/v1/invoices/{id}/pdf"), &ada.token).await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "application/pdf");
    assert!(disposition.contains("invoice-1.pdf"));
    let doc = lopdf::Document::load_mem(&bytes).expect("a PDF a reader opens");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let text = doc.extract_text(&pages).unwrap();
    assert!(text.contains("Invoice 1"), "{text}");
    assert!(text.contains("87.50 USD"), "7 x 12.50: {text}");
    assert!(text.contains("Springfield"), "bill-to: {text}");
    assert!(text.contains("2026-03-01"), "{text}");

    let other = app.signed_in(ada.org, false).await;
    let (status, ..) = raw(&app, &format!("/v1/invoices/{id}/pdf"), &other.token).await;
    assert_eq!(status, 404, "only the owner");
}

#[actix_web::test]
async fn the_csv_parses_and_its_totals_equal_the_json() {
    let app = TestApp::spawn_at("2026-01-10").await;
    let ada = app.signed_in(Uuid::new_v4(), false).await;
    let id = app.buy(&ada, CRM, 10).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.set_today("2026-01-20");
    let tag = app
        .get(&format!("/v1/subscriptions/{id}"), &ada)
        .await
        .header("etag")
        .unwrap();
    app.send(
        Method::PATCH,
        &format!("/v1/subscriptions/{id}"),
        &ada,
        &[("If-Match", &tag)],
        Some(&json!({"license_count": 3})),
    )
    .await;
    app.billing_run("2026-02-10");
    app.set_today("2026-02-11");
    let json_list = app.get("/v1/invoices", &ada).await.body["data"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(json_list.len(), 2);
    let (status, content_type, disposition, bytes) =
        raw(&app, "/v1/invoices.csv", &ada.token).await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/csv"));
    assert!(
        disposition.starts_with("attachment; filename=\"invoices-"),
        "{disposition}"
    );
    let mut reader = csv::Reader::from_reader(&bytes[..]);
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3, "purchase; renewal + decrease credit");
    for invoice in &json_list {
        let number = invoice["number"].to_string();
        let lines: Vec<_> = rows
            .iter()
            .filter(|r| r[col("invoice_number")] == number)
            .collect();
        assert_eq!(lines.len(), invoice["lines"].as_array().unwrap().len());
        let to_minor = |s: &str| -> i64 { (s.parse::<f64>().unwrap() * 100.0).round() as i64 };
        let sum: i64 = lines.iter().map(|r| to_minor(&r[col("amount")])).sum();
        assert_eq!(sum, invoice["subtotal"]["amount"].as_i64().unwrap());
        assert_eq!(
            to_minor(&lines[0][col("total")]),
            invoice["total"]["amount"].as_i64().unwrap()
        );
        assert_eq!(&lines[0][col("currency")], "USD");
    }
    let (status, ..) = raw(
        &app,
        "/v1/invoices.csv?period=custom&from=2026-02-01",
        &ada.token,
    )
    .await;
    assert_eq!(status, 422);
}

#[actix_web::test]
async fn admins_see_every_purchase_but_change_none() {
    let app = TestApp::spawn_at("2026-04-01").await;
    let org = Uuid::new_v4();
    let admin = app.signed_in(org, true).await;
    let ada = app.signed_in(org, false).await;
    let bob = app.signed_in(org, false).await;
    let foreign_admin = app.signed_in(Uuid::new_v4(), true).await;
    let sub = app.buy(&ada, CRM, 5).await;
    let id = sub["id"].as_str().unwrap().to_owned();
    let reply = app
        .post(
            &format!("/v1/subscriptions/{id}/assignments"),
            &ada,
            json!({"user_ids": [bob.user_id]}),
        )
        .await;
    assert_eq!(reply.status, 200);

    let list = app.get("/v1/admin/subscriptions", &admin).await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["data"].as_array().unwrap().len(), 1);
    let item = &list.body["data"][0];
    assert_eq!(item["purchaser"]["id"], json!(ada.user_id));
    assert!(item["purchaser"]["display_name"]
        .as_str()
        .unwrap()
        .starts_with("User "));
    assert_eq!(item["total_price"]["amount"], json!(5 * 1250));
    let filtered = app
        .get(
            &format!("/v1/admin/subscriptions?purchaser_id={}", bob.user_id),
            &admin,
        )
        .await;
    assert_eq!(filtered.body["data"], json!([]));

    let detail = app
        .get(&format!("/v1/admin/subscriptions/{id}"), &admin)
        .await;
    assert_eq!(detail.status, 200, "{detail:?}");
    assert_eq!(
        detail.body["assigned_users"][0]["user_id"],
        json!(bob.user_id)
    );
    assert_eq!(detail.body["license_count"], json!(5));

    let (status, content_type, _, bytes) =
        raw(&app, "/v1/admin/subscriptions.csv", &admin.token).await;
    assert_eq!((status, content_type.starts_with("text/csv")), (200, true));
    let mut reader = csv::Reader::from_reader(&bytes[..]);
    let rows: Vec<_> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][0], id.as_str());

    // Every admin write on Ada's purchase: 403 admin_read_only, nothing changed.
    let tag = app
        .get(&format!("/v1/subscriptions/{id}"), &ada)
        .await
        .header("etag")
        .unwrap();
    let (profile, pm) = app.billing_setup(&admin).await;
    let writes: Vec<(Method, String, serde_json::Value)> = vec![
        (
            Method::PATCH,
            format!("/v1/subscriptions/{id}"),
            json!({"license_count": 6}),
        ),
        (
            Method::POST,
            format!("/v1/subscriptions/{id}/cancel"),
            json!({"reason": "other"}),
        ),
        (
            Method::POST,
            format!("/v1/subscriptions/{id}/convert"),
            json!({"billing_profile_id": profile, "payment_method_id": pm, "billing_frequency": "monthly"}),
        ),
        (
            Method::POST,
            format!("/v1/subscriptions/{id}/assignments"),
            json!({"user_ids": [admin.user_id]}),
        ),
        (
            Method::POST,
            format!("/v1/subscriptions/{id}/assignments/remove"),
            json!({"user_ids": [bob.user_id]}),
        ),
    ];
    for (method, path, body) in writes {
        let reply = app
            .send(method, &path, &admin, &[("If-Match", &tag)], Some(&body))
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (403, "admin_read_only"),
            "{path}: {reply:?}"
        );
    }
    let reply = app
        .call(
            Method::DELETE,
            &format!("/v1/subscriptions/{id}/assignments/{}", bob.user_id),
            Some(&admin.token),
            None,
        )
        .await;
    assert_eq!((reply.status, reply.code()), (403, "admin_read_only"));
    let after = app.get(&format!("/v1/subscriptions/{id}"), &ada).await;
    assert_eq!(after.header("etag").unwrap(), tag, "nothing changed");
    assert_eq!(after.body["assigned_count"], json!(1));

    // Members are not admins; other organisations see nothing.
    let reply = app.get("/v1/admin/subscriptions", &ada).await;
    assert_eq!((reply.status, reply.code()), (403, "admin_only"));
    let (status, ..) = raw(&app, "/v1/admin/subscriptions.csv", &ada.token).await;
    assert_eq!(status, 403);
    assert_eq!(
        app.get(&format!("/v1/admin/subscriptions/{id}"), &foreign_admin)
            .await
            .status,
        404
    );
    assert_eq!(
        app.get("/v1/admin/subscriptions", &foreign_admin)
            .await
            .body["data"],
        json!([])
    );

    // The admin still manages their own purchases.
    let own = app.buy(&admin, CRM, 1).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = app
        .post(
            &format!("/v1/subscriptions/{own}/cancel"),
            &admin,
            json!({"reason": "other"}),
        )
        .await;
    assert_eq!(reply.status, 200);
}
