//! Inspection of a PostgreSQL database into the neutral model.
//!
//! A fixed handful of round trips, whatever the size of the schema: one
//! bulk pg_catalog query per object kind ([`queries`]), all in one
//! read-only REPEATABLE READ transaction so they see one consistent
//! snapshot, decoded into plain rows ([`rows`]) and assembled in memory,
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
    pub async fn inspect(&self, database: &str) -> Result<Catalog, EngineError> {
        let mut conn = self.connect(Some(database)).await?;
        let rows = self.read_catalog(&mut conn).await;
        let _ = conn.close().await;
        Ok(assemble::catalog(rows?))
    }

    async fn read_catalog(&self, conn: &mut PgConnection) -> Result<Rows, EngineError> {
        let err = |e| self.error(e);
        let mut tx = conn
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await
            .map_err(err)?;
        let timeout_ms = self.config.statement_timeout.as_millis().to_string();
        sqlx::query(queries::SESSION)
            .bind(timeout_ms)
            .execute(&mut *tx)
            .await
            .map_err(err)?;
        let database: rows::DatabaseRow = sqlx::query_as(queries::DATABASE)
            .fetch_one(&mut *tx)
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
        let rows = Rows {
            database,
            schemas: fetch(&mut tx, queries::SCHEMAS).await.map_err(err)?,
            extensions: fetch(&mut tx, queries::EXTENSIONS).await.map_err(err)?,
            tables: fetch(&mut tx, queries::TABLES).await.map_err(err)?,
            columns: fetch(&mut tx, queries::COLUMNS).await.map_err(err)?,
            sequences: fetch(&mut tx, queries::SEQUENCES).await.map_err(err)?,
            constraints: fetch(&mut tx, queries::CONSTRAINTS).await.map_err(err)?,
            index_keys: fetch(&mut tx, indexes).await.map_err(err)?,
            views: fetch(&mut tx, queries::VIEWS).await.map_err(err)?,
            enums: fetch(&mut tx, queries::ENUMS).await.map_err(err)?,
            functions: fetch(&mut tx, queries::FUNCTIONS).await.map_err(err)?,
            triggers: fetch(&mut tx, queries::TRIGGERS).await.map_err(err)?,
        };
        tx.commit().await.map_err(err)?;
        Ok(rows)
    }
}

/// All rows of one catalog query.
async fn fetch<R>(conn: &mut PgConnection, sql: &'static str) -> Result<Vec<R>, sqlx::Error>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
{
    sqlx::query_as(sql).fetch_all(conn).await
}
