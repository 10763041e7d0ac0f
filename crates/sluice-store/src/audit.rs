use crate::backend::query;
use crate::{
    AuditEntry, AuditFilter, NewAuditEntry, Page, PageRequest, Store, StoreResult, now_ms,
};

impl Store {
    pub async fn append_audit(&self, entry: &NewAuditEntry) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO audit_log (principal_id, action, resource, outcome, detail, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)";
        let now = now_ms();
        let detail = entry.detail.to_string();
        query!(pool self => |db| sqlx::query(SQL).bind(entry.principal_id).bind(&entry.action).bind(&entry.resource)
            .bind(entry.outcome.as_str()).bind(detail).bind(now).execute(db).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Audit entries, newest first. The resource filter is a literal,
    /// case-sensitive prefix on both backends (not a LIKE pattern: SQLite's
    /// LIKE ignores ASCII case, and `%` or `_` in a name would be wildcards).
    pub async fn list_audit(
        &self,
        filter: &AuditFilter,
        page: PageRequest,
    ) -> StoreResult<Page<AuditEntry>> {
        const SQL: &str = "SELECT a.id, a.principal_id, p.email AS actor_email, a.action, a.resource, a.outcome, \
             a.detail, a.created_at FROM audit_log a JOIN principal p ON p.id = a.principal_id \
             WHERE ($1 IS NULL OR a.principal_id = $1) AND ($2 IS NULL OR a.action = $2) \
             AND ($3 IS NULL OR substr(a.resource, 1, length($3)) = $3) ORDER BY a.id DESC LIMIT $4 OFFSET $5";
        let rows = query!(pool self => |db| sqlx::query_as::<_, AuditEntry>(SQL)
            .bind(filter.principal_id).bind(&filter.action).bind(&filter.resource)
            .bind(page.fetch_limit()).bind(page.offset).fetch_all(db).await)?;
        Ok(page.page(rows))
    }
}
