//! `EXPLAIN (FORMAT JSON)` on PostgreSQL; see [`crate::explain`].

use super::Postgres;
use crate::execute::ms;
use crate::explain::{Explained, Explanation, budget, postgres_rows, refused};
use crate::{EngineError, ErrorKind};
use sqlx::postgres::PgConnection;
use sqlx::{AssertSqlSafe, Connection, Row};
use std::time::Instant;

impl Postgres {
    /// Plans each of `statements` on `database` over one connection, until
    /// `deadline`: the answers come in order and stop early when time runs
    /// out or the connection breaks. `Err` when it cannot connect.
    pub async fn explain_all(
        &self,
        database: &str,
        statements: &[&str],
        deadline: Instant,
    ) -> Result<Vec<Explanation>, EngineError> {
        let mut conn = self.connect(Some(database)).await?;
        let mut answers = Vec::new();
        for statement in statements {
            let Some(limit) = budget(deadline) else { break };
            let answer = match tokio::time::timeout(
                limit + crate::explain::PER_STATEMENT,
                self.explain_in(&mut conn, statement, limit),
            )
            .await
            {
                Ok(answer) => answer,
                Err(_) => break,
            };
            let broken = matches!(&answer, Err(e) if !refused(e));
            answers.push(answer);
            if broken {
                break;
            }
        }
        // Closing also ends a transaction a failed rollback left open.
        let _ = conn.close().await;
        Ok(answers)
    }

    async fn explain_in(
        &self,
        conn: &mut PgConnection,
        statement: &str,
        limit: std::time::Duration,
    ) -> Explanation {
        let mut tx = conn.begin().await.map_err(|e| self.error(e))?;
        let settings = format!(
            "SET LOCAL statement_timeout = {0}; SET LOCAL lock_timeout = {0}",
            ms(limit).max(1)
        );
        sqlx::raw_sql(AssertSqlSafe(settings))
            .execute(&mut *tx)
            .await
            .map_err(|e| self.error(e))?;
        // A prepared statement holds one command: nothing can ride along.
        let explain = format!("EXPLAIN (FORMAT JSON) {statement}");
        let row = sqlx::query(AssertSqlSafe(explain))
            .fetch_one(&mut *tx)
            .await;
        let _ = tx.rollback().await;
        let row = row.map_err(|e| self.error(e))?;
        // `json` comes as its text in either format.
        let plan: String = row.try_get_unchecked(0).map_err(|e| self.error(e))?;
        let plan: serde_json::Value = serde_json::from_str(&plan)
            .map_err(|e| EngineError::new(ErrorKind::Other, format!("unreadable plan: {e}")))?;
        Ok(Explained {
            rows: postgres_rows(&plan),
        })
    }
}
