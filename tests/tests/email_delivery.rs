#![allow(clippy::unwrap_used, clippy::expect_used)]
//! E-mail from the outbox (PRODUCT.md §8), both backends, against an SMTP
//! server in the test: a purchase mails its invoice with the PDF attached to
//! the billing profile's `invoice_email` and the admins' notification to
//! their addresses; a mail server that is down does not touch the request,
//! and the mail arrives once it is back; without SMTP nothing is queued.

use chrono::Duration;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, RwLock};
use tests::smtp_sink::{Mail, SmtpSink};
use tests::{Actor, TestApp};
use usecases::deliveries::{PassReport, Worker};
use usecases::Clock;
use uuid::Uuid;

const CRM: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01";

/// "%PDF-" in base64: the attachment is a PDF document.
const PDF_MAGIC_BASE64: &str = "JVBERi0";

async fn app_mailing_to(smtp_url: &str) -> TestApp {
    let clock = Clock::Fixed(Arc::new(RwLock::new(
        "2026-12-02T10:00:00Z".parse().unwrap(),
    )));
    TestApp::spawn_with(&[("SELFSERVE_SMTP_URL", smtp_url)], clock).await
}

async fn pass(app: &TestApp, worker: &Worker) -> PassReport {
    worker
        .pass(&app.state.services, &AtomicBool::new(false))
        .await
        .unwrap()
}

fn email_of(app: &TestApp, actor: &Actor) -> String {
    let mut conn = app.state.services.db.pool().get().unwrap();
    persistence::repos::users::find(&mut conn, actor.org.into(), actor.user_id.into())
        .unwrap()
        .and_then(|u| u.email)
        .expect("signed-in test users have an address")
}

fn to(mails: &[Mail], address: &str) -> Vec<Mail> {
    mails
        .iter()
        .filter(|m| m.to == [address.to_owned()])
        .cloned()
        .collect()
}

/// A member's purchase: the invoice to accounts payable, the news to the admin.
async fn purchase(app: &TestApp) -> (Actor, serde_json::Value) {
    let org = Uuid::new_v4();
    let admin = app.signed_in(org, true).await;
    let member = app.signed_in(org, false).await;
    app.buy(&member, CRM, 3).await;
    let invoice = app.get("/v1/invoices", &member).await.body["data"][0].clone();
    assert!(invoice["number"].is_i64(), "{invoice}");
    (admin, invoice)
}

#[actix_web::test]
async fn a_purchase_mails_the_invoice_pdf_and_the_admins_notification() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(&sink.url()).await;
    let (admin, invoice) = purchase(&app).await;
    assert!(
        sink.mails().is_empty(),
        "nothing is mailed from the request"
    );

    let report = pass(&app, &Worker::new()).await;
    assert_eq!(report.delivered, 2, "{report:?}");
    let mails = sink.mails();
    assert_eq!(mails.len(), 2, "{mails:?}");

    let ap = to(&mails, "ap@example.com");
    assert_eq!(
        ap.len(),
        1,
        "one invoice e-mail to the profile's invoice_email"
    );
    let data = &ap[0].data;
    let number = invoice["number"].as_i64().unwrap();
    assert!(
        data.contains(&format!("Subject: Invoice {number}")),
        "{data}"
    );
    assert!(data.contains("Content-Type: application/pdf"), "{data}");
    assert!(
        data.contains(&format!("filename=\"invoice-{number}.pdf\"")),
        "{data}"
    );
    assert!(data.contains(PDF_MAGIC_BASE64), "the attachment is a PDF");

    let told = to(&mails, &email_of(&app, &admin));
    assert_eq!(told.len(), 1, "the admin's notification, mailed");
    let notice = &app.get("/v1/notifications", &admin).await.body["data"][0];
    let title = notice["title"].as_str().unwrap();
    assert!(
        told[0].data.contains(&format!("Subject: {title}")),
        "{told:?}"
    );

    // Delivered once: a second pass sends nothing more.
    let again = pass(&app, &Worker::new()).await;
    assert_eq!(again, PassReport::default());
    assert_eq!(sink.mails().len(), 2);
}

#[actix_web::test]
async fn a_mail_server_that_is_down_fails_no_request_and_the_mail_arrives_later() {
    let addr = SmtpSink::start().await.stop();
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let app = app_mailing_to(&format!("smtp://{addr}")).await;
    // The purchase answers 201 while the server is down (`buy` asserts it):
    // the request only writes the outbox.
    let (admin, _) = purchase(&app).await;

    let worker = Worker::new();
    let report = pass(&app, &worker).await;
    assert_eq!(
        report.retrying, 2,
        "both e-mails wait for a retry: {report:?}"
    );

    let sink = SmtpSink::on(addr).await;
    // Not due yet: nothing is sent before the retry time.
    assert_eq!(pass(&app, &worker).await.delivered, 0);
    let later = app.state.services.clock.now() + Duration::hours(1);
    app.state.services.clock.set(later);
    assert_eq!(pass(&app, &worker).await.delivered, 2);
    let mails = sink.mails();
    assert_eq!(to(&mails, "ap@example.com").len(), 1);
    assert_eq!(to(&mails, &email_of(&app, &admin)).len(), 1);
    assert_eq!(pass(&app, &worker).await, PassReport::default());
}

#[actix_web::test]
async fn without_smtp_no_email_is_queued() {
    let app = TestApp::spawn().await;
    purchase(&app).await;
    let report = pass(&app, &Worker::new()).await;
    // Events were fanned out, and no delivery came of them: no e-mail was
    // queued to wait for a server that is not configured.
    assert!(report.dispatched > 0, "{report:?}");
    assert_eq!(
        report,
        PassReport {
            dispatched: report.dispatched,
            ..PassReport::default()
        }
    );
}
