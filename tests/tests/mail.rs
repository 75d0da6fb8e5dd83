//! The SMTP sender against a mail server in the test: a message arrives as
//! composed; a server that is down is a quick, retryable failure, and the
//! same message goes through once it is back.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use api::config::{MailSettings, Sources};
use api::mail::{notification_message, MailError, Mailer};
use std::time::{Duration, Instant};
use tests::smtp_sink::SmtpSink;

fn mailer(url: &str) -> Mailer {
    let settings = api::config::Settings::from_sources(&Sources::from_pairs([
        ("SELFSERVE_SMTP_URL", url),
        ("SELFSERVE_MAIL_FROM", "Billing <billing@example.com>"),
    ]))
    .unwrap();
    let mail: MailSettings = settings.mail;
    Mailer::from_settings(&mail).expect("an SMTP URL is configured")
}

#[tokio::test]
async fn a_message_arrives_as_composed() {
    let sink = SmtpSink::start().await;
    let mailer = mailer(&sink.url());
    let message = notification_message(
        &mailer.from,
        "ap@example.com",
        "Seat use reached 80 %",
        "Project Online: 8 of 10 licenses are assigned.",
    )
    .unwrap();
    mailer.send(message).await.unwrap();
    let mails = sink.mails();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].from, "billing@example.com");
    assert_eq!(mails[0].to, vec!["ap@example.com".to_owned()]);
    assert!(mails[0].data.contains("Subject: Seat use reached 80 %"));
    assert!(mails[0].data.contains("8 of 10 licenses are assigned."));
}

#[tokio::test]
async fn a_server_that_is_down_fails_fast_and_retryably() {
    let addr = SmtpSink::start().await.stop();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mailer = mailer(&format!("smtp://{addr}"));
    let message = || notification_message(&mailer.from, "ap@example.com", "Hello", "Body").unwrap();
    let started = Instant::now();
    let refused = mailer.send(message()).await;
    assert!(
        matches!(
            refused,
            Err(MailError::Send {
                permanent: false,
                ..
            })
        ),
        "{refused:?}"
    );
    // A refused connection is not the 10 s timeout.
    assert!(started.elapsed() < Duration::from_secs(5));
    let back = SmtpSink::on(addr).await;
    mailer.send(message()).await.unwrap();
    assert_eq!(back.mails().len(), 1);
}

#[test]
fn bad_recipients_are_compose_errors() {
    let from = "selfserve@localhost".parse().unwrap();
    let refused = notification_message(&from, "not an address", "t", "s");
    assert!(matches!(refused, Err(MailError::Compose(_))));
}
