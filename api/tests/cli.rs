//! The binary: bad configuration stops it with one line naming the key; the
//! token it mints is one the same configuration accepts.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

fn selfserve(envs: &[(&str, &str)], args: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    selfserve_in(dir.path(), envs, args)
}

/// Runs the binary in `dir` with only the given environment (and the catalog).
fn selfserve_in(
    dir: &std::path::Path,
    envs: &[(&str, &str)],
    args: &[&str],
) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_selfserve"));
    cmd.current_dir(dir)
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
    cmd.output().expect("run selfserve")
}

fn assert_config_error(envs: &[(&str, &str)], key: &str) {
    assert_config_error_of(selfserve(envs, &["serve"]), key);
}

fn assert_config_error_of(output: std::process::Output, key: &str) {
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

#[test]
fn secrets_are_checked_like_every_other_key() {
    assert_config_error(&[("SELFSERVE_JWT_SECRET", "short")], "SELFSERVE_JWT_SECRET");
    assert_config_error(
        &[("SELFSERVE_CARD_FINGERPRINT_KEY", "short")],
        "SELFSERVE_CARD_FINGERPRINT_KEY",
    );
}

#[test]
fn the_configuration_file_is_checked_and_the_environment_wins() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("custom.toml");
    let path = file.to_str().unwrap();

    std::fs::write(&file, "SELFSERVE_BINDD = \"127.0.0.1:1\"\n").unwrap();
    assert_config_error_of(
        selfserve_in(dir.path(), &[], &["--config", path, "serve"]),
        "SELFSERVE_BINDD",
    );
    assert_config_error_of(
        selfserve_in(dir.path(), &[], &["--config", "missing.toml", "serve"]),
        "--config",
    );
    // An invalid value in the file, overridden by a valid one in the environment.
    std::fs::write(&file, "SELFSERVE_LOG_FORMAT = \"xml\"\n").unwrap();
    assert_config_error_of(
        selfserve_in(dir.path(), &[], &["--config", path, "serve"]),
        "SELFSERVE_LOG_FORMAT",
    );
    let output = selfserve_in(
        dir.path(),
        &[
            ("SELFSERVE_LOG_FORMAT", "json"),
            ("SELFSERVE_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
        ],
        &[
            "--config",
            path,
            "token",
            "--org",
            "11111111-1111-1111-1111-111111111111",
            "--user",
            "22222222-2222-2222-2222-222222222222",
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_generated_secret_is_announced_but_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    let token = |dir: &std::path::Path| {
        selfserve_in(
            dir,
            &[],
            &[
                "token",
                "--org",
                "11111111-1111-1111-1111-111111111111",
                "--user",
                "22222222-2222-2222-2222-222222222222",
            ],
        )
    };
    let first = token(dir.path());
    assert!(first.status.success());
    let secret = std::fs::read_to_string(dir.path().join("data/jwt-secret")).unwrap();
    assert_eq!(secret.len(), 64);
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(
        stderr.contains("generated a local HS256 secret in data/jwt-secret"),
        "{stderr}"
    );
    assert!(stderr.contains("SELFSERVE_JWT_SECRET"), "{stderr}");
    let stdout = String::from_utf8_lossy(&first.stdout);
    for piece in secret.as_bytes().windows(9) {
        let piece = std::str::from_utf8(piece).unwrap();
        assert!(
            !stderr.contains(piece) && !stdout.contains(piece),
            "{stderr}"
        );
    }
    // The second run reuses it quietly, and its tokens verify with it.
    let second = token(dir.path());
    assert!(second.status.success());
    assert!(!String::from_utf8_lossy(&second.stderr).contains("generated"));
    let jwt = String::from_utf8(second.stdout).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.set_audience(&["selfserve-api"]);
    jsonwebtoken::decode::<serde_json::Value>(
        jwt.trim(),
        &jsonwebtoken::DecodingKey::from_secret(secret.as_bytes()),
        &validation,
    )
    .unwrap();
}
