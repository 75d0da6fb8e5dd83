//! Where the data lives: the database URL, the data folder (generated
//! secrets, the default SQLite file) and the connection pool.

use super::{err, ConfigError, Sources};
use persistence::{DatabaseUrl, PoolOptions};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The database and the data folder, each defaulting from the other: the
/// SQLite file goes into an explicit data folder, and without one the data
/// folder is the SQLite file's folder.
pub(super) fn location(s: &Sources) -> Result<(DatabaseUrl, PathBuf), ConfigError> {
    let data_dir_explicit = s.get("SELFSERVE_DATA_DIR").map(PathBuf::from);
    let database = match s.get("DATABASE_URL") {
        Some(raw) => DatabaseUrl::parse(raw).map_err(|m| err("DATABASE_URL", m))?,
        None => DatabaseUrl::Sqlite(
            data_dir_explicit
                .clone()
                .unwrap_or_else(|| "data".into())
                .join("selfserve.db"),
        ),
    };
    let data_dir = data_dir_explicit.unwrap_or_else(|| match &database {
        DatabaseUrl::Sqlite(path) => path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| ".".into()),
        DatabaseUrl::Postgres(_) => "data".into(),
    });
    Ok((database, data_dir))
}

pub(super) fn pool(s: &Sources) -> Result<PoolOptions, ConfigError> {
    Ok(PoolOptions {
        max_size: s.parse_number(
            "SELFSERVE_DB_POOL_SIZE",
            PoolOptions::default().max_size,
            |n| (1..=256).contains(n),
        )?,
        checkout_timeout: Duration::from_millis(s.parse_number(
            "SELFSERVE_DB_TIMEOUT_MS",
            3000u64,
            |n| (10..=60_000).contains(n),
        )?),
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::settings;
    use super::*;

    #[test]
    fn the_data_folder_and_the_sqlite_file_default_from_each_other() {
        let s = settings(&[("SELFSERVE_DATA_DIR", "/var/lib/selfserve")]).unwrap();
        assert_eq!(
            s.database,
            DatabaseUrl::Sqlite("/var/lib/selfserve/selfserve.db".into())
        );
        let s = settings(&[("DATABASE_URL", "/srv/db/x.sqlite")]).unwrap();
        assert_eq!(s.data_dir, PathBuf::from("/srv/db"));
        let s = settings(&[("DATABASE_URL", "x.sqlite")]).unwrap();
        assert_eq!(s.data_dir, PathBuf::from("."));
    }

    #[test]
    fn pool_limits() {
        let s = settings(&[
            ("SELFSERVE_DB_POOL_SIZE", " 4 "),
            ("SELFSERVE_DB_TIMEOUT_MS", "250"),
        ])
        .unwrap();
        assert_eq!(s.pool.max_size, 4);
        assert_eq!(s.pool.checkout_timeout, Duration::from_millis(250));
        assert!(settings(&[("SELFSERVE_DB_POOL_SIZE", "257")]).is_err());
    }
}
