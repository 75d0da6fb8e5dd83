//! The README's Python verifier, run for real against a real delivery.

use super::*;
use tests::receiver::Receiver;

/// The ```python block after `<!-- verify-python -->` in the README.
fn readme_snippet() -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let after = readme
        .split("<!-- verify-python -->")
        .nth(1)
        .expect("marker in README");
    let block = after.split("```python\n").nth(1).unwrap();
    block.split("```").next().unwrap().to_owned()
}

fn python_verify(snippet: &str, secret: &str, body: &[u8], header: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let body_file = dir.path().join("body");
    std::fs::write(&body_file, body).unwrap();
    let program = format!(
        "{snippet}\nimport sys\nprint(verify(sys.argv[1], open(sys.argv[2], 'rb').read(), sys.argv[3]))\n"
    );
    let out = std::process::Command::new("python3")
        .args(["-c", &program, secret, body_file.to_str().unwrap(), header])
        .output()
        .expect("python3 runs the README snippet");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[actix_web::test]
async fn the_readme_python_verifier_accepts_a_real_delivery_and_nothing_else() {
    // The wall clock: the snippet refuses timestamps more than 5 minutes off.
    let app = TestApp::spawn_with(&[PRIVATE_OK], Clock::System).await;
    let receiver = Receiver::start().await;
    let org = Uuid::new_v4();
    let admin = app.signed_in(org, true).await;
    let (_, secret) = endpoint(&app, &admin, &receiver.url, &["*"]).await;
    insert_event(
        &app,
        org,
        EventType::InvoiceIssued,
        json!({"note": "zażółć – “quotes”"}),
    );
    assert_eq!(pass(&app, &Worker::new()).await.delivered, 1);
    let request = &receiver.received()[0];
    let header = request.header("Selfserve-Signature");
    let snippet = readme_snippet();

    assert_eq!(
        python_verify(&snippet, &secret, &request.body, header),
        "True"
    );
    assert_eq!(
        python_verify(&snippet, "whsec_wrong", &request.body, header),
        "False"
    );
    let mut tampered = request.body.clone();
    tampered.push(b' ');
    assert_eq!(python_verify(&snippet, &secret, &tampered, header), "False");
    let (_, v1) = parse_signature(header);
    let stale = format!("t=1000000000,v1={}", v1[0]);
    assert_eq!(
        python_verify(&snippet, &secret, &request.body, &stale),
        "False"
    );
}
