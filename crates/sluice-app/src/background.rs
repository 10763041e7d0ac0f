//! Work nobody asked for: the periodic sync of instances and their
//! database schemas, signed by the system bot (principal 1).

use crate::{App, AppResult, Caller};
use sluice_store::{DatabaseFilter, PageRequest, SyncState, now_ms};

impl App {
    /// The system bot as a caller.
    pub async fn system_bot(&self) -> AppResult<Caller> {
        Ok(Caller::system(self.store.principal(1).await?))
    }

    /// Sync every active instance whose interval has passed, then the
    /// schema of each of its databases. Failures are recorded on the
    /// instance or database (and in the audit log), never propagated: one
    /// unreachable server must not stop the others. Returns how many
    /// instances were visited.
    pub async fn sync_due(&self) -> AppResult<usize> {
        let bot = self.system_bot().await?;
        let now = now_ms();
        let due: Vec<_> = self
            .store
            .list_instances(false)
            .await?
            .into_iter()
            .filter(|i| {
                i.synced_at
                    .is_none_or(|at| at + i.sync_interval_secs * 1000 <= now)
            })
            .collect();
        for instance in &due {
            if let Err(err) = self.sync_instance(&bot, &instance.id).await {
                tracing::warn!(instance = %instance.id, %err, "background sync failed");
                continue;
            }
            let filter = DatabaseFilter {
                instance_id: Some(instance.id.clone()),
                ..Default::default()
            };
            let databases = self
                .store
                .list_databases(&filter, PageRequest::ALL)
                .await?
                .items;
            for db in databases.iter().filter(|d| d.sync_state == SyncState::Ok) {
                if let Err(err) = self.sync_database(&bot, &instance.id, &db.name).await {
                    tracing::warn!(instance = %instance.id, database = %db.name, %err, "background schema sync failed");
                }
            }
        }
        Ok(due.len())
    }
}
