//! Inspection of a PostgreSQL database into the neutral model.
//!
//! A fixed handful of round trips, whatever the size of the schema: one
//! bulk pg_catalog query per object kind ([`queries`]), all in read-only
//! REPEATABLE READ transactions (on a large catalog, on three connections
//! that share one exported snapshot), so they see one consistent catalog; decoded into
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

/// Up to this many user relations, one connection reads the catalog.
const SMALL_CATALOG: i64 = 200;

impl Postgres {
    /// Reads `database` (the configured one when empty) into a normalized
    /// [`Catalog`]; see the module documentation.
    ///
    /// On a large catalog the three heaviest queries (columns, indexes,
    /// constraints) run at the same time on three connections that share
    /// one exported snapshot, as `pg_dump -j` does: the catalog is read as
    /// of one instant, in about the time of the slowest query rather than
    /// their sum. A small catalog is read on one connection: there the two
    /// extra connections (each a TLS handshake and an authentication) would
    /// cost more than the queries they share.
    pub async fn inspect(&self, database: &str) -> Result<Catalog, EngineError> {
        let mut first = self.connect(Some(database)).await?;
        let rows = self.read_catalog(&mut first, database).await;
        let _ = first.close().await;
        Ok(assemble::catalog(rows?))
    }

    async fn read_catalog(
        &self,
        first: &mut PgConnection,
        database_name: &str,
    ) -> Result<Rows, EngineError> {
        let err = |e| self.error(e);
        let timeout_ms = self.config.statement_timeout.as_millis().to_string();
        let mut tx_a = first.begin_with(queries::BEGIN).await.map_err(err)?;
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
        let indexes = if database.version_num >= 150000 {
            queries::INDEXES
        } else {
            queries::INDEXES_BEFORE_15
        };
        let relations: i64 = sqlx::query_scalar(queries::USER_RELATIONS)
            .fetch_one(&mut *tx_a)
            .await
            .map_err(err)?;
        if relations <= SMALL_CATALOG {
            let rows = Rows {
                columns: fetch(&mut tx_a, queries::COLUMNS).await.map_err(err)?,
                schemas: fetch(&mut tx_a, queries::SCHEMAS).await.map_err(err)?,
                extensions: fetch(&mut tx_a, queries::EXTENSIONS).await.map_err(err)?,
                sequences: fetch(&mut tx_a, queries::SEQUENCES).await.map_err(err)?,
                index_keys: fetch(&mut tx_a, indexes).await.map_err(err)?,
                tables: fetch(&mut tx_a, queries::TABLES).await.map_err(err)?,
                views: fetch(&mut tx_a, queries::VIEWS).await.map_err(err)?,
                constraints: fetch(&mut tx_a, queries::CONSTRAINTS).await.map_err(err)?,
                enums: fetch(&mut tx_a, queries::ENUMS).await.map_err(err)?,
                functions: fetch(&mut tx_a, queries::FUNCTIONS).await.map_err(err)?,
                triggers: fetch(&mut tx_a, queries::TRIGGERS).await.map_err(err)?,
                database,
            };
            tx_a.commit().await.map_err(err)?;
            return Ok(rows);
        }
        let snapshot: String = sqlx::query_scalar(queries::EXPORT_SNAPSHOT)
            .fetch_one(&mut *tx_a)
            .await
            .map_err(err)?;
        let (b, c) = tokio::join!(
            self.connect(Some(database_name)),
            self.connect(Some(database_name)),
        );
        let (mut b, mut c) = (b?, c?);
        let rows = self
            .read_in_parallel(
                tx_a,
                &mut b,
                &mut c,
                &snapshot,
                &timeout_ms,
                indexes,
                database,
            )
            .await;
        let _ = b.close().await;
        let _ = c.close().await;
        rows
    }

    /// The catalog queries spread over three connections in one snapshot.
    #[allow(clippy::too_many_arguments)]
    async fn read_in_parallel(
        &self,
        mut tx_a: sqlx::Transaction<'_, sqlx::Postgres>,
        b: &mut PgConnection,
        c: &mut PgConnection,
        snapshot: &str,
        timeout_ms: &str,
        indexes: &'static str,
        database: rows::DatabaseRow,
    ) -> Result<Rows, EngineError> {
        let err = |e| self.error(e);
        let (tx_b, tx_c) = tokio::try_join!(
            self.join_snapshot(b, snapshot, timeout_ms),
            self.join_snapshot(c, snapshot, timeout_ms),
        )?;
        let (mut tx_b, mut tx_c) = (tx_b, tx_c);
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
