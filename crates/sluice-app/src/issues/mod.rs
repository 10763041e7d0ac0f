//! Issues and their pipelines: filing a change, checking it, approving it
//! and moving its tasks (DESIGN.md sections 3 and 4). The runner
//! (sluice-runner) executes what these use cases queue.

mod actions;
pub mod analyze;
mod checks;
mod file;
pub mod policy;
mod rollback;
mod view;

pub use actions::{TaskAction, target};
pub use file::{IssueInput, IssuePatch, NewDatabaseInput};
pub use rollback::{ReverseView, RollbackInput, compute_reverse};
pub use view::{
    ApprovalView, CheckView, IssueSummary, IssueView, OverrideView, PipelineView, PrincipalRef,
    RunView, StageView, TaskView, stage_status,
};

use crate::{App, AppResult, Caller, Permission};
use sluice_schema::Dialect;
use sluice_store::{Engine, Issue};

/// The SQL dialect an instance's engine speaks.
pub fn dialect_of(engine: Engine) -> Dialect {
    match engine {
        Engine::Postgres => Dialect::Postgres,
        Engine::Mysql | Engine::Mariadb => Dialect::Mysql,
        Engine::Sqlite => Dialect::Sqlite,
    }
}

impl App {
    /// An issue by project and number, if the caller may see it.
    pub(crate) async fn visible_issue(
        &self,
        caller: &Caller,
        project: &str,
        number: i64,
    ) -> AppResult<Issue> {
        self.authorize(caller, Permission::IssuesGet, Some(project))
            .await?;
        Ok(self.store.issue_by_number(project, number).await?)
    }

    /// Wake the runner: something may be ready to run.
    pub fn wake_runner(&self) {
        self.runner_signal.notify_one();
    }

    /// What the runner waits on between ticks.
    pub fn runner_signal(&self) -> std::sync::Arc<tokio::sync::Notify> {
        self.runner_signal.clone()
    }
}
