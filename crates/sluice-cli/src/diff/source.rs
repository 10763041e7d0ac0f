//! What each side of `sluice diff` names: a live database, or SQL files
//! that describe a schema and must be loaded somewhere to be inspected.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use sluice_engine::{ConnectionConfig, EngineKind};
use sluice_schema::Dialect;

/// One side of the comparison.
pub(crate) enum Source {
    /// A database to inspect as it is.
    Database {
        config: ConnectionConfig,
        database: String,
    },
    /// SQL files, applied in this order to an empty scratch database.
    Sql(Vec<SqlFile>),
}

/// A `.sql` file, read up front so that a missing or unreadable file fails
/// before any server is touched.
pub(crate) struct SqlFile {
    pub path: PathBuf,
    pub text: String,
}

impl Source {
    /// A database URL (as `sluice inspect` takes it), a `.sql` file, or a
    /// directory of `.sql` files.
    pub(crate) fn parse(text: &str) -> anyhow::Result<Source> {
        let path = Path::new(text);
        let is_url = text.contains("://") || text.starts_with("sqlite:");
        if !is_url && path.is_dir() {
            return Ok(Source::Sql(read_dir(path)?));
        }
        if !is_url && has_sql_extension(path) {
            return Ok(Source::Sql(vec![read_file(path)?]));
        }
        let (config, database) = crate::inspect::parse(text)?;
        Ok(Source::Database { config, database })
    }

    /// The engine of a database; `None` for SQL files, which take the
    /// dev server's.
    pub(crate) fn kind(&self) -> Option<EngineKind> {
        match self {
            Source::Database { config, .. } => Some(config.kind),
            Source::Sql(_) => None,
        }
    }
}

/// What a side is, for messages: the URL without its password, or the path.
pub(crate) struct Described<'a>(pub &'a str);

impl fmt::Display for Described<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match url::Url::parse(self.0) {
            Ok(mut url) if url.password().is_some() => {
                let _ = url.set_password(Some("***"));
                f.write_str(url.as_str())
            }
            _ => f.write_str(self.0),
        }
    }
}

/// The dialect an engine speaks: MySQL and MariaDB share one.
pub(crate) fn dialect_of(kind: EngineKind) -> Dialect {
    match kind {
        EngineKind::Postgres => Dialect::Postgres,
        EngineKind::Mysql | EngineKind::Mariadb => Dialect::Mysql,
        EngineKind::Sqlite => Dialect::Sqlite,
    }
}

/// The engine's name as people write it.
pub(crate) fn engine_name(kind: EngineKind) -> &'static str {
    match kind {
        EngineKind::Postgres => "PostgreSQL",
        EngineKind::Mysql => "MySQL",
        EngineKind::Mariadb => "MariaDB",
        EngineKind::Sqlite => "SQLite",
    }
}

fn has_sql_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("sql"))
}

/// The directory's `.sql` files in name order, the order migration tools
/// number them in; subdirectories are not read.
fn read_dir(dir: &Path) -> anyhow::Result<Vec<SqlFile>> {
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read directory {}", dir.display()))?;
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry
            .with_context(|| format!("cannot read directory {}", dir.display()))?
            .path();
        if path.is_file() && has_sql_extension(&path) {
            paths.push(path);
        }
    }
    if paths.is_empty() {
        bail!("directory {} holds no .sql files", dir.display());
    }
    paths.sort();
    paths.iter().map(|p| read_file(p)).collect()
}

fn read_file(path: &Path) -> anyhow::Result<SqlFile> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let text = String::from_utf8(bytes)
        .map_err(|e| anyhow::anyhow!("{} is not UTF-8 text: {e}", path.display()))?;
    Ok(SqlFile {
        path: path.to_path_buf(),
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_files_and_directories() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("2_b.sql"), "CREATE TABLE b (id int);").unwrap();
        std::fs::write(dir.path().join("1_a.sql"), "CREATE TABLE a (id int);").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not SQL").unwrap();
        let Source::Sql(files) = Source::parse(dir.path().to_str().unwrap()).unwrap() else {
            panic!("a directory is SQL files");
        };
        let names: Vec<_> = files
            .iter()
            .map(|f| f.path.file_name().unwrap().to_str().unwrap())
            .collect();
        assert_eq!(names, ["1_a.sql", "2_b.sql"]);

        let one = dir.path().join("1_a.sql");
        assert!(matches!(
            Source::parse(one.to_str().unwrap()).unwrap(),
            Source::Sql(f) if f.len() == 1
        ));
        let missing = dir.path().join("missing.sql");
        let err = Source::parse(missing.to_str().unwrap()).err().unwrap();
        assert!(err.to_string().contains("missing.sql"), "{err}");

        let empty = tempfile::tempdir().unwrap();
        let err = Source::parse(empty.path().to_str().unwrap()).err().unwrap();
        assert!(err.to_string().contains("no .sql files"), "{err}");

        let db = Source::parse("mariadb://root@127.0.0.1/shop").unwrap();
        assert_eq!(db.kind(), Some(EngineKind::Mariadb));
        assert!(Source::parse("oracle://x/y").is_err());
    }

    #[test]
    fn passwords_stay_out_of_messages() {
        let shown = Described("postgres://app:secret@db/shop").to_string();
        assert_eq!(shown, "postgres://app:***@db/shop");
        assert_eq!(Described("schema/").to_string(), "schema/");
    }
}
