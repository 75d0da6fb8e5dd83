//! The process: SIGTERM stops accepting, finishes what is in flight, exits 0;
//! metrics are served.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SECRET: &str = "lifecycle-secret-lifecycle-secret-0123";

struct Server {
    child: Child,
    port: u16,
    /// Metrics have their own listener; a free port each, so tests can run together.
    metrics_port: u16,
    dir: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn env(cmd: &mut Command, dir: &std::path::Path, port: u16) {
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", dir.join("selfserve.db"))
        .env("SELFSERVE_DATA_DIR", dir)
        .env("SELFSERVE_BIND", format!("127.0.0.1:{port}"))
        .env("SELFSERVE_JWT_SECRET", SECRET)
        .env("SELFSERVE_BILLING_INTERVAL_SECS", "0")
        .env(
            "SELFSERVE_CATALOG",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../catalog.toml"),
        );
}

fn start() -> Server {
    let dir = std::env::temp_dir().join(format!("selfserve-life-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let free_port = || {
        TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let (port, metrics_port) = (free_port(), free_port());
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_selfserve"));
    env(&mut cmd, &dir, port);
    let child = cmd
        .env(
            "SELFSERVE_METRICS_BIND",
            format!("127.0.0.1:{metrics_port}"),
        )
        .arg("serve")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server {
        child,
        port,
        metrics_port,
        dir,
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while http(port, "GET", "/readyz", None, None).map(|r| r.0) != Some(200) {
        assert!(Instant::now() < deadline, "server did not become ready");
        std::thread::sleep(Duration::from_millis(20));
    }
    server
}

fn token(server: &Server) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_selfserve"));
    env(&mut cmd, &server.dir, server.port);
    let out = cmd
        .args([
            "token",
            "--org",
            "11111111-1111-1111-1111-111111111111",
            "--user",
            "22222222-2222-2222-2222-222222222222",
        ])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// One HTTP/1.1 request on a fresh connection: (status, body).
fn http(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .ok()?;
    let body = body.unwrap_or("");
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split(' ').nth(1)?.parse().ok()?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Some((status, body))
}

#[test]
fn sigterm_finishes_in_flight_requests_then_exits_zero() {
    let mut server = start();
    let token = token(&server);
    assert_eq!(
        http(server.port, "GET", "/v1/me", Some(&token), None)
            .unwrap()
            .0,
        200
    );

    // Hold SQLite's write lock from outside so the next write waits, in flight.
    let db = persistence::DatabaseUrl::Sqlite(server.dir.join("selfserve.db"));
    let pool = persistence::connect_pool(&db, &Default::default()).unwrap();
    let mut lock = pool.get().unwrap();
    persistence::repos::health::execute_admin(&mut lock, "BEGIN IMMEDIATE").unwrap();

    let port = server.port;
    let in_flight = std::thread::spawn(move || {
        let card = r#"{"card":{"number":"4242424242424242","exp_month":12,"exp_year":2040,"cvc":"123","holder_name":"A"},"billing_address":{"line1":"1 Main St","city":"X","postal_code":"1","country":"US"}}"#;
        http(
            port,
            "POST",
            "/v1/payment-methods",
            Some(&token),
            Some(card),
        )
    });
    std::thread::sleep(Duration::from_millis(400));
    let pid = server.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    std::thread::sleep(Duration::from_millis(400));
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err()
            || http(port, "GET", "/healthz", None, None).is_none(),
        "still accepting after SIGTERM"
    );

    persistence::repos::health::execute_admin(&mut lock, "COMMIT").unwrap();
    let (status, body) = in_flight
        .join()
        .unwrap()
        .expect("the in-flight request was answered");
    assert_eq!(status, 201, "{body}");

    let deadline = Instant::now() + Duration::from_secs(15);
    let exit = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "did not exit after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "{exit:?}");
}

#[test]
fn metrics_count_requests_per_route_and_status() {
    let server = start();
    let token = token(&server);
    for _ in 0..3 {
        assert_eq!(
            http(server.port, "GET", "/v1/me", Some(&token), None)
                .unwrap()
                .0,
            200
        );
    }
    http(server.port, "GET", "/v1/me", None, None).unwrap();
    let (status, text) = http(server.metrics_port, "GET", "/metrics", None, None).unwrap();
    assert_eq!(status, 200);
    assert!(
        text.contains(
            r#"selfserve_http_requests_total{method="GET",route="/v1/me",status="200"} 3"#
        ),
        "{text}"
    );
    assert!(
        text.contains(
            r#"selfserve_http_requests_total{method="GET",route="/v1/me",status="401"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains("selfserve_http_request_duration_seconds_bucket"),
        "{text}"
    );
    assert!(
        text.contains("selfserve_db_pool_connections_in_use"),
        "{text}"
    );
}
