//! Inspection of a PostgreSQL database into the neutral model.
//!
//! A fixed handful of round trips, whatever the size of the schema: one
//! bulk pg_catalog query per object kind ([`queries`]), all in read-only
//! REPEATABLE READ transactions on three connections that share one
//! exported snapshot, so they see one consistent catalog; decoded into
//! plain rows ([`rows`]) and assembled in memory,
//! joined on oids through hash maps ([`assemble`]). Nothing is queried per
//! table, so a 2,000-table database costs the same dozen queries as a
//! two-table one.

mod assemble;
mod parse;
mod queries;
mod rows;

use sluice_schema::Catalog;
use sqlx::{Connection, PgConnection};

use super::{MIN_VERSION_NUM, Postgres};
use crate::{EngineError, ErrorKind};
use rows::Rows;

impl Postgres {
    /// Reads `database` (the configured one when empty) into a normalized
    /// [`Catalog`]; see the module documentation.
    ///
    /// The three heaviest queries (columns, indexes, constraints) run at
    /// the same time on three connections that share one exported snapshot,
    /// as `pg_dump -j` does: the catalog is read as of one instant, in
    /// about the time of the slowest query rather than their sum.
    pub async fn inspect(&self, database: &str) -> Result<Catalog, EngineError> {
        let (a, b, c) = tokio::join!(
            self.connect(Some(database)),
            self.connect(Some(database)),
            self.connect(Some(database)),
        );
        let mut conns = [a?, b?, c?];
        let rows = self.read_catalog(&mut conns).await;
        for conn in conns {
            let _ = conn.close().await;
        }
        Ok(assemble::catalog(rows?))
    }

    async fn read_catalog(&self, conns: &mut [PgConnection; 3]) -> Result<Rows, EngineError> {
        let err = |e| self.error(e);
        let [a, b, c] = conns;
        let timeout_ms = self.config.statement_timeout.as_millis().to_string();
        let mut tx_a = a.begin_with(queries::BEGIN).await.map_err(err)?;
        sqlx::query(queries::SESSION)
            .bind(&timeout_ms)
            .execute(&mut *tx_a)
            .await
            .map_err(err)?;
        let database: rows::DatabaseRow = sqlx::query_as(queries::DATABASE)
            .fetch_one(&mut *tx_a)
            .await
            .map_err(err)?;
        // Checked before the other queries, which name columns that older
        // servers lack.
        if database.version_num < MIN_VERSION_NUM {
            return Err(EngineError::new(
                ErrorKind::UnsupportedVersion,
                format!(
                    "PostgreSQL {} is not supported: Sluice needs PostgreSQL 12 or newer",
                    database.version
                ),
            ));
        }
        let snapshot: String = sqlx::query_scalar(queries::EXPORT_SNAPSHOT)
            .fetch_one(&mut *tx_a)
            .await
            .map_err(err)?;
        let (tx_b, tx_c) = tokio::try_join!(
            self.join_snapshot(b, &snapshot, &timeout_ms),
            self.join_snapshot(c, &snapshot, &timeout_ms),
        )?;
        let (mut tx_b, mut tx_c) = (tx_b, tx_c);
        let indexes = if database.version_num >= 150000 {
            queries::INDEXES
        } else {
            queries::INDEXES_BEFORE_15
        };
        let on_a = async {
            Ok::<_, sqlx::Error>((
                fetch(&mut tx_a, queries::COLUMNS).await?,
                fetch(&mut tx_a, queries::SCHEMAS).await?,
                fetch(&mut tx_a, queries::EXTENSIONS).await?,
                fetch(&mut tx_a, queries::SEQUENCES).await?,
            ))
        };
        let on_b = async {
            Ok::<_, sqlx::Error>((
                fetch(&mut tx_b, indexes).await?,
                fetch(&mut tx_b, queries::TABLES).await?,
                fetch(&mut tx_b, queries::VIEWS).await?,
            ))
        };
        let on_c = async {
            Ok::<_, sqlx::Error>((
                fetch(&mut tx_c, queries::CONSTRAINTS).await?,
                fetch(&mut tx_c, queries::ENUMS).await?,
                fetch(&mut tx_c, queries::FUNCTIONS).await?,
                fetch(&mut tx_c, queries::TRIGGERS).await?,
            ))
        };
        let (
            (columns, schemas, extensions, sequences),
            (index_keys, tables, views),
            (constraints, enums, functions, triggers),
        ) = tokio::try_join!(on_a, on_b, on_c).map_err(err)?;
        for tx in [tx_a, tx_b, tx_c] {
            tx.commit().await.map_err(err)?;
        }
        Ok(Rows {
            database,
            schemas,
            extensions,
            tables,
            columns,
            sequences,
            constraints,
            index_keys,
            views,
            enums,
            functions,
            triggers,
        })
    }

    /// A read-only transaction on `conn` that sees the exported snapshot.
    async fn join_snapshot<'c>(
        &self,
        conn: &'c mut PgConnection,
        snapshot: &str,
        timeout_ms: &str,
    ) -> Result<sqlx::Transaction<'c, sqlx::Postgres>, EngineError> {
        let err = |e| self.error(e);
        let mut tx = conn.begin_with(queries::BEGIN).await.map_err(err)?;
        // SET TRANSACTION SNAPSHOT takes no parameters; the id is checked to
        // be the hex-and-dashes form the server exports.
        if !snapshot.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            return Err(EngineError::new(
                ErrorKind::Other,
                format!("unexpected snapshot id {snapshot:?}"),
            ));
        }
        let set = format!("SET TRANSACTION SNAPSHOT '{snapshot}'");
        sqlx::raw_sql(sqlx::AssertSqlSafe(set))
            .execute(&mut *tx)
            .await
            .map_err(err)?;
        sqlx::query(queries::SESSION)
            .bind(timeout_ms)
            .execute(&mut *tx)
            .await
            .map_err(err)?;
        Ok(tx)
    }
}

/// All rows of one catalog query.
async fn fetch<R>(conn: &mut PgConnection, sql: &'static str) -> Result<Vec<R>, sqlx::Error>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
{
    sqlx::query_as(sql).fetch_all(conn).await
}
