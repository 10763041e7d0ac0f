//! `EXPLAIN QUERY PLAN` on SQLite; see [`crate::explain`]. SQLite's plan
//! carries no row estimates, so the answer only says whether SQLite
//! accepts the statement.

use super::{Sqlite, error};
use crate::EngineError;
use crate::explain::{Explained, Explanation, budget, refused};
use sqlx::{AssertSqlSafe, Connection};
use std::time::Instant;

impl Sqlite {
    /// Plans each of `statements` on `database` over one connection, until
    /// `deadline`; see [`crate::Engine::explain_all`].
    pub async fn explain_all(
        &self,
        database: &str,
        statements: &[&str],
        deadline: Instant,
    ) -> Result<Vec<Explanation>, EngineError> {
        let path = self.path_of(database)?;
        let mut conn = self.connect_file(&path).await?;
        let mut answers = Vec::new();
        for statement in statements {
            if budget(deadline).is_none() {
                break;
            }
            // Runs nothing, but rolled back all the same.
            let mut tx = conn.begin().await.map_err(|e| error(e, &path))?;
            let explain = format!("EXPLAIN QUERY PLAN {statement}");
            let answer = sqlx::query(AssertSqlSafe(explain))
                .fetch_all(&mut *tx)
                .await
                .map(|_| Explained { rows: None })
                .map_err(|e| error(e, &path));
            let _ = tx.rollback().await;
            let broken = matches!(&answer, Err(e) if !refused(e));
            answers.push(answer);
            if broken {
                break;
            }
        }
        let _ = conn.close().await;
        Ok(answers)
    }
}
