use crate::backend::query;
use crate::{
    NewPrincipal, Page, PageRequest, Principal, PrincipalKind, Store, StoreError, StoreResult,
    WorkspaceRole, now_ms,
};

/// Principals joined with their workspace role.
macro_rules! select_principal {
    ($rest:literal) => {
        concat!(
            "SELECT p.id, p.kind, p.email, p.name, p.password_hash, p.active, r.role, p.created_at, p.updated_at \
             FROM principal p JOIN workspace_role_binding r ON r.principal_id = p.id ",
            $rest
        )
    };
}

impl Store {
    pub async fn create_principal(&self, new: &NewPrincipal) -> StoreResult<Principal> {
        let mut tx = self.begin().await?;
        let id = insert_principal(&mut tx, new).await?;
        tx.commit().await?;
        self.principal(id).await
    }

    /// Sign a person up. The first person becomes workspace Owner; later
    /// ones become Developers, and only while the workspace has sign-up open.
    /// Decided inside one transaction that first locks the workspace row,
    /// so two racing first sign-ups cannot both become Owner.
    pub async fn sign_up(
        &self,
        email: &str,
        name: &str,
        password_hash: &str,
    ) -> StoreResult<Principal> {
        const PEOPLE: &str = "SELECT COUNT(*) FROM principal WHERE kind = 'END_USER'";
        const OPEN: &str = "SELECT signup_open FROM workspace WHERE id = 1";
        let mut tx = self.begin().await?;
        tx.lock_workspace().await?;
        let people: i64 =
            query!(tx &mut tx => |db| sqlx::query_scalar(PEOPLE).fetch_one(db).await)?;
        let role = if people == 0 {
            WorkspaceRole::Owner
        } else {
            let open: bool =
                query!(tx &mut tx => |db| sqlx::query_scalar(OPEN).fetch_one(db).await)?;
            if !open {
                return Err(StoreError::FailedPrecondition(
                    "sign-up is closed: ask a workspace Owner to create your account".into(),
                ));
            }
            WorkspaceRole::Developer
        };
        let new = NewPrincipal {
            kind: PrincipalKind::EndUser,
            email: email.into(),
            name: name.into(),
            password_hash: Some(password_hash.into()),
            role,
        };
        let id = insert_principal(&mut tx, &new).await?;
        tx.commit().await?;
        self.principal(id).await
    }

    pub async fn principal(&self, id: i64) -> StoreResult<Principal> {
        const SQL: &str = select_principal!("WHERE p.id = $1");
        query!(pool self => |db| sqlx::query_as::<_, Principal>(SQL).bind(id).fetch_optional(db).await)?
            .ok_or_else(|| StoreError::NotFound(format!("user {id}")))
    }

    pub async fn principal_by_email(&self, email: &str) -> StoreResult<Option<Principal>> {
        const SQL: &str = select_principal!("WHERE p.email = $1");
        Ok(
            query!(pool self => |db| sqlx::query_as::<_, Principal>(SQL).bind(email).fetch_optional(db).await)?,
        )
    }

    /// Principals of one kind, by id.
    pub async fn list_principals(
        &self,
        kind: PrincipalKind,
        page: PageRequest,
    ) -> StoreResult<Page<Principal>> {
        const SQL: &str = select_principal!("WHERE p.kind = $1 ORDER BY p.id LIMIT $2 OFFSET $3");
        let rows = query!(pool self => |db| sqlx::query_as::<_, Principal>(SQL)
            .bind(kind.as_str()).bind(page.fetch_limit()).bind(page.offset).fetch_all(db).await)?;
        Ok(page.page(rows))
    }

    pub async fn set_principal_role(&self, id: i64, role: WorkspaceRole) -> StoreResult<Principal> {
        const SQL: &str = "UPDATE workspace_role_binding SET role = $1 WHERE principal_id = $2";
        const TOUCH: &str = "UPDATE principal SET updated_at = $1 WHERE id = $2";
        let now = now_ms();
        let mut tx = self.begin().await?;
        let n = query!(tx &mut tx => |db| sqlx::query(SQL).bind(role.as_str()).bind(id).execute(db).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("user {id}")));
        }
        query!(tx &mut tx => |db| sqlx::query(TOUCH).bind(now).bind(id).execute(db).await.map(|r| r.rows_affected()))?;
        tx.commit().await?;
        self.principal(id).await
    }

    /// Change a principal's name, active flag or password hash.
    pub async fn update_principal(
        &self,
        id: i64,
        name: Option<&str>,
        active: Option<bool>,
        password_hash: Option<&str>,
    ) -> StoreResult<Principal> {
        const SQL: &str = "UPDATE principal SET name = COALESCE($1, name), active = COALESCE($2, active), \
             password_hash = COALESCE($3, password_hash), updated_at = $4 WHERE id = $5";
        let now = now_ms();
        let n = query!(pool self => |db| sqlx::query(SQL)
            .bind(name).bind(active).bind(password_hash).bind(now).bind(id).execute(db).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("user {id}")));
        }
        self.principal(id).await
    }

    /// Active people holding the workspace Owner role (the system bot and
    /// service accounts do not count: they cannot manage the workspace).
    pub async fn count_active_owners(&self) -> StoreResult<i64> {
        const SQL: &str = "SELECT COUNT(*) FROM principal p JOIN workspace_role_binding r ON r.principal_id = p.id \
             WHERE p.kind = 'END_USER' AND p.active AND r.role = 'OWNER'";
        Ok(query!(pool self => |db| sqlx::query_scalar(SQL).fetch_one(db).await)?)
    }
}

async fn insert_principal(tx: &mut crate::backend::Tx, new: &NewPrincipal) -> StoreResult<i64> {
    const INSERT: &str = "INSERT INTO principal (kind, email, name, password_hash, active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, TRUE, $5, $5) RETURNING id";
    const BIND: &str = "INSERT INTO workspace_role_binding (principal_id, role) VALUES ($1, $2)";
    let now = now_ms();
    let id: i64 = query!(tx tx => |db| sqlx::query_scalar(INSERT)
        .bind(new.kind.as_str()).bind(&new.email).bind(&new.name).bind(&new.password_hash).bind(now)
        .fetch_one(db).await)
    .map_err(StoreError::on_conflict(format!(
        "a user with email {}",
        new.email
    )))?;
    query!(tx tx => |db| sqlx::query(BIND).bind(id).bind(new.role.as_str()).execute(db).await.map(|r| r.rows_affected()))?;
    Ok(id)
}
