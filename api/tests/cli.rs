//! The binary: bad configuration stops it with one line naming the key; the
//! token it mints is one the same configuration accepts.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

fn selfserve(envs: &[(&str, &str)], args: &[&str]) -> std::process::Output {
    let dir = std::env::temp_dir().join(format!("selfserve-cli-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_selfserve"));
    cmd.current_dir(&dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env(
            "SELFSERVE_CATALOG",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../catalog.toml"),
        )
        .args(args);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let output = cmd.output().expect("run selfserve");
    std::fs::remove_dir_all(&dir).ok();
    output
}

fn assert_config_error(envs: &[(&str, &str)], key: &str) {
    let output = selfserve(envs, &["serve"]);
    assert!(!output.status.success(), "{key} should stop the start");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let first = stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with(&format!("configuration error: {key}:")),
        "{key}: {stderr}"
    );
}

#[test]
fn an_invalid_bind_address_stops_the_start() {
    assert_config_error(&[("SELFSERVE_BIND", "not-an-address")], "SELFSERVE_BIND");
}

#[test]
fn an_invalid_database_url_stops_the_start() {
    assert_config_error(&[("DATABASE_URL", "mysql://localhost/x")], "DATABASE_URL");
    assert_config_error(
        &[("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")],
        "DATABASE_URL",
    );
}

#[test]
fn a_jwks_url_over_plain_http_off_this_machine_stops_the_start() {
    for url in [
        "http://login.example.com/keys",
        "http://192.168.1.10/keys",
        "ftp://login.example.com/keys",
    ] {
        assert_config_error(&[("SELFSERVE_JWT_JWKS_URL", url)], "SELFSERVE_JWT_JWKS_URL");
    }
}

#[test]
fn a_missing_catalog_stops_the_start() {
    assert_config_error(
        &[
            ("SELFSERVE_CATALOG", "/nonexistent/catalog.toml"),
            ("DATABASE_URL", "db.sqlite"),
        ],
        "SELFSERVE_CATALOG",
    );
}

#[test]
fn token_prints_a_jwt() {
    let output = selfserve(
        &[("SELFSERVE_JWT_SECRET", "0123456789abcdef0123456789abcdef")],
        &[
            "token",
            "--org",
            "11111111-1111-1111-1111-111111111111",
            "--user",
            "22222222-2222-2222-2222-222222222222",
            "--admin",
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let token = String::from_utf8(output.stdout).unwrap();
    assert_eq!(token.trim().split('.').count(), 3);
}
