use crate::backend::query;
use crate::{AuthToken, Store, StoreError, StoreResult, TokenKind, now_ms};

impl Store {
    /// Keep a token by the hash of its secret.
    pub async fn insert_token(
        &self,
        token_hash: &str,
        principal_id: i64,
        kind: TokenKind,
        csrf_token: &str,
        expires_at: Option<i64>,
    ) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO auth_token (token_hash, principal_id, kind, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)";
        let now = now_ms();
        query!(pool self => |db| sqlx::query(SQL)
            .bind(token_hash).bind(principal_id).bind(kind.as_str()).bind(csrf_token).bind(now).bind(expires_at)
            .execute(db).await.map(|r| r.rows_affected()))
        .map_err(StoreError::on_conflict("a token with this hash"))?;
        Ok(())
    }

    /// The token with this hash, if it exists and has not expired.
    pub async fn token(&self, token_hash: &str) -> StoreResult<Option<AuthToken>> {
        const SQL: &str = "SELECT token_hash, principal_id, kind, csrf_token, created_at, expires_at \
             FROM auth_token WHERE token_hash = $1 AND (expires_at IS NULL OR expires_at > $2)";
        let now = now_ms();
        Ok(
            query!(pool self => |db| sqlx::query_as::<_, AuthToken>(SQL).bind(token_hash).bind(now).fetch_optional(db).await)?,
        )
    }

    pub async fn delete_token(&self, token_hash: &str) -> StoreResult<()> {
        const SQL: &str = "DELETE FROM auth_token WHERE token_hash = $1";
        query!(pool self => |db| sqlx::query(SQL).bind(token_hash).execute(db).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// End every session and token of a principal (deactivation).
    pub async fn delete_tokens_of(&self, principal_id: i64) -> StoreResult<()> {
        const SQL: &str = "DELETE FROM auth_token WHERE principal_id = $1";
        query!(pool self => |db| sqlx::query(SQL).bind(principal_id).execute(db).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Forget expired sessions; returns how many went.
    pub async fn delete_expired_tokens(&self) -> StoreResult<u64> {
        const SQL: &str =
            "DELETE FROM auth_token WHERE expires_at IS NOT NULL AND expires_at <= $1";
        let now = now_ms();
        Ok(
            query!(pool self => |db| sqlx::query(SQL).bind(now).execute(db).await.map(|r| r.rows_affected()))?,
        )
    }
}
