//! The audit log: every mutation goes through [`App::audited`], which
//! records who, what, on which resource, and how it ended.

use crate::{App, AppError, AppResult, Caller, Permission};
use sluice_store::{AuditEntry, AuditFilter, NewAuditEntry, Outcome, Page, PageRequest};
use std::future::Future;

impl App {
    /// Run a mutation and record it. `detail` must never hold a secret.
    pub(crate) async fn audited<T>(
        &self,
        caller: &Caller,
        action: &str,
        resource: &str,
        detail: serde_json::Value,
        work: impl Future<Output = AppResult<T>>,
    ) -> AppResult<T> {
        let result = work.await;
        let outcome = match &result {
            Ok(_) => Outcome::Success,
            Err(AppError::PermissionDenied(_)) => Outcome::Denied,
            Err(_) => Outcome::Failed,
        };
        let detail = match &result {
            Err(err) if !matches!(err, AppError::Internal(_)) => {
                let mut detail = detail;
                if let Some(map) = detail.as_object_mut() {
                    map.insert("error".into(), err.to_string().into());
                }
                detail
            }
            _ => detail,
        };
        self.record(caller, action, resource, outcome, detail).await;
        result
    }

    /// Write one audit entry. A failure to write is logged, not returned:
    /// the action already happened and must be reported as it went.
    pub(crate) async fn record(
        &self,
        caller: &Caller,
        action: &str,
        resource: &str,
        outcome: Outcome,
        detail: serde_json::Value,
    ) {
        let entry = NewAuditEntry {
            principal_id: caller.id(),
            action: action.into(),
            resource: resource.into(),
            outcome,
            detail,
        };
        if let Err(err) = self.store.append_audit(&entry).await {
            tracing::error!(%err, action, resource, "cannot write audit log");
        }
    }

    pub async fn list_audit(
        &self,
        caller: &Caller,
        filter: &AuditFilter,
        page: PageRequest,
    ) -> AppResult<Page<AuditEntry>> {
        self.authorize(caller, Permission::AuditLogsList, None)
            .await?;
        Ok(self.store.list_audit(filter, page).await?)
    }
}
