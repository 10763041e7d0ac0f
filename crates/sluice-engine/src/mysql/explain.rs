//! `EXPLAIN` on MySQL and MariaDB; see [`crate::explain`].
//!
//! The estimate is the largest `rows` of the plan. Each row of the plan is
//! one table, with the rows the server expects to read from it per lookup;
//! for a single-table UPDATE or DELETE that is the one estimate there is.
//! A sum would count a join's inner table once per outer row's estimate
//! instead of per row, and an INSERT … SELECT's target on top of its
//! source; the largest is the table that drives the statement. `None` when
//! no row has an estimate (INSERT … VALUES).

use super::Mysql;
use super::execute::session_settings;
use crate::EngineError;
use crate::explain::{Explained, Explanation, PER_STATEMENT, budget, refused};
use sqlx::mysql::{MySqlConnection, MySqlRow};
use sqlx::{AssertSqlSafe, Connection, Row};
use std::time::Instant;

impl Mysql {
    /// Plans each of `statements` on `database` over one connection, until
    /// `deadline`; see [`crate::Engine::explain_all`].
    pub async fn explain_all(
        &self,
        database: &str,
        statements: &[&str],
        deadline: Instant,
    ) -> Result<Vec<Explanation>, EngineError> {
        let mut conn = self.connect(Some(database)).await?;
        let version: String = sqlx::query_scalar("SELECT CAST(VERSION() AS CHAR)")
            .fetch_one(&mut conn)
            .await
            .map_err(|e| self.error(e))?;
        let mariadb = version.to_ascii_lowercase().contains("mariadb");
        let settings = session_settings(mariadb, PER_STATEMENT, PER_STATEMENT);
        sqlx::raw_sql(AssertSqlSafe(settings))
            .execute(&mut conn)
            .await
            .map_err(|e| self.error(e))?;
        let mut answers = Vec::new();
        for statement in statements {
            let Some(limit) = budget(deadline) else { break };
            let Ok(answer) =
                tokio::time::timeout(limit + PER_STATEMENT, self.explain_in(&mut conn, statement))
                    .await
            else {
                break;
            };
            let broken = matches!(&answer, Err(e) if !refused(e));
            answers.push(answer);
            if broken {
                break;
            }
        }
        let _ = conn.close().await;
        Ok(answers)
    }

    async fn explain_in(&self, conn: &mut MySqlConnection, statement: &str) -> Explanation {
        // EXPLAIN runs nothing, but rolled back all the same.
        let mut tx = conn.begin().await.map_err(|e| self.error(e))?;
        // A prepared statement holds one command: nothing can ride along.
        let explain = format!("EXPLAIN {statement}");
        let rows = sqlx::query(AssertSqlSafe(explain))
            .fetch_all(&mut *tx)
            .await;
        let _ = tx.rollback().await;
        let rows = rows.map_err(|e| self.error(e))?;
        Ok(Explained {
            rows: rows.iter().filter_map(estimate).max(),
        })
    }
}

/// The `rows` column of one plan row, whatever integer type the server
/// gives it (NULL when the step reads no table).
fn estimate(row: &MySqlRow) -> Option<u64> {
    if let Ok(n) = row.try_get::<Option<u64>, _>("rows") {
        return n;
    }
    if let Ok(n) = row.try_get::<Option<i64>, _>("rows") {
        return n.and_then(|n| u64::try_from(n).ok());
    }
    row.try_get::<Option<String>, _>("rows")
        .ok()
        .flatten()
        .and_then(|s| s.trim().parse().ok())
}
