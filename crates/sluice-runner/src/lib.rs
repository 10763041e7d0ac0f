//! The runner: Sluice's background work on tasks.
//!
//! A scheduler wakes on the app's signal (something was filed, approved,
//! started or finished) or on a short tick, and each round:
//!
//! 1. resolves RUNNING tasks whose lease expired (their worker died) from
//!    the target's `sluice_history`, never by running them again;
//! 2. queues, as the system bot, NOT_STARTED tasks whose stage's turn has
//!    come, whose checks passed, whose approval is in and whose environment
//!    rolls out automatically (`App::queue_ready_tasks`);
//! 3. claims PENDING tasks within the parallel limits (overall and per
//!    instance) by compare-and-set with a lease, and executes each on its
//!    own tokio task, so one failure or panic fails one task only.
//!
//! The store enforces the rest: a claim is one conditional UPDATE, and at
//! most one task runs per database (a partial unique index), across
//! servers sharing a PostgreSQL metadata store.
//!
//! It sits above the app rather than below it: executing a task needs the
//! app's use cases (opening the instance's sealed credentials, syncing the
//! schema after a change, closing a finished issue), while the app only
//! needs to wake the runner, which it does through a `Notify`.

mod execute;
mod log;
mod recover;

use sluice_app::App;
use sluice_store::{Claim, Task, TaskStatus, now_ms};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How the runner paces itself.
#[derive(Debug, Clone)]
pub struct RunnerConfig {
    /// The longest wait between rounds when nothing signals.
    pub tick: Duration,
    /// How long a claim holds without renewal; a worker renews it every
    /// third of this, so a dead worker's tasks are resolved after it.
    pub lease: Duration,
    /// Tasks this runner executes at once.
    pub max_parallel: usize,
    /// Tasks this runner executes at once on one instance.
    pub max_per_instance: usize,
    /// This runner's name in claims; unique per process.
    pub worker: String,
}

impl Default for RunnerConfig {
    fn default() -> Self {
        RunnerConfig {
            tick: Duration::from_secs(2),
            lease: Duration::from_secs(30),
            max_parallel: 32,
            max_per_instance: 16,
            worker: worker_name(),
        }
    }
}

/// host-pid-random: distinct for every process, readable in the store.
pub fn worker_name() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "sluice".into());
    format!(
        "{host}-{}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    )
}

/// The tasks this runner is executing, by instance.
#[derive(Debug, Default)]
struct Load {
    total: usize,
    per_instance: HashMap<String, usize>,
}

#[derive(Clone)]
pub struct Runner {
    app: App,
    config: Arc<RunnerConfig>,
    load: Arc<Mutex<Load>>,
}

/// Frees a slot of the load when the execution holding it ends, however
/// it ends (a panic included).
struct Slot {
    load: Arc<Mutex<Load>>,
    instance: String,
    /// Set for a slot that held an execution: its end wakes the runner.
    wake: Option<App>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut load = self.load.lock().unwrap_or_else(|p| p.into_inner());
        load.total = load.total.saturating_sub(1);
        if let Some(n) = load.per_instance.get_mut(&self.instance) {
            *n = n.saturating_sub(1);
        }
        // A finished task may let the next stage, or a task waiting for
        // this slot, start.
        if let Some(app) = &self.wake {
            app.wake_runner();
        }
    }
}

impl Runner {
    pub fn new(app: App, config: RunnerConfig) -> Runner {
        Runner {
            app,
            config: Arc::new(config),
            load: Arc::default(),
        }
    }

    pub fn config(&self) -> &RunnerConfig {
        &self.config
    }

    /// Run rounds forever: on the app's signal, or every `tick`.
    pub fn spawn(self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let signal = self.app.runner_signal();
            match self.app.resume_plan_checks().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(
                    issues = n,
                    "running again the plan checks a stopped server left"
                ),
                Err(err) => tracing::warn!(%err, "cannot resume plan checks"),
            }
            loop {
                if let Err(err) = self.round().await {
                    tracing::warn!(%err, "runner round failed");
                }
                tokio::select! {
                    _ = signal.notified() => {}
                    _ = tokio::time::sleep(self.config.tick) => {}
                }
            }
        })
    }

    /// One round: resolve expired claims, queue what is ready, claim and
    /// start what is queued. Executions continue after it returns.
    pub async fn round(&self) -> sluice_app::AppResult<()> {
        let store = &self.app.store;
        for task in store.list_expired_tasks(now_ms()).await? {
            if !self.reserve(&task.instance_id) {
                break;
            }
            match store
                .claim_task(task.id, &self.config.worker, self.config.lease)
                .await
            {
                Ok(Claim::TakenOver) => self.start(task, true),
                Ok(_) => self.release(&task.instance_id),
                Err(err) => {
                    self.release(&task.instance_id);
                    return Err(err.into());
                }
            }
        }
        self.app.queue_ready_tasks(10_000).await?;
        // The head of the queue is enough: claimed tasks leave it, so the
        // rest move up by the next round (each task's end starts one).
        let head = i64::try_from(self.config.max_parallel * 4).unwrap_or(i64::MAX);
        for task in store
            .list_tasks_with_status(TaskStatus::Pending, head)
            .await?
        {
            if !self.reserve(&task.instance_id) {
                continue;
            }
            match store
                .claim_task(task.id, &self.config.worker, self.config.lease)
                .await
            {
                Ok(Claim::Started) => self.start(task, false),
                Ok(_) => self.release(&task.instance_id),
                Err(err) => {
                    self.release(&task.instance_id);
                    return Err(err.into());
                }
            }
        }
        Ok(())
    }

    /// Take a slot on the task's instance if the limits allow.
    fn reserve(&self, instance: &str) -> bool {
        let mut load = self.load.lock().unwrap_or_else(|p| p.into_inner());
        let on_instance = load.per_instance.get(instance).copied().unwrap_or(0);
        if load.total >= self.config.max_parallel || on_instance >= self.config.max_per_instance {
            return false;
        }
        load.total += 1;
        *load.per_instance.entry(instance.to_string()).or_default() += 1;
        true
    }

    fn release(&self, instance: &str) {
        drop(Slot {
            load: self.load.clone(),
            instance: instance.to_string(),
            wake: None,
        });
    }

    /// Execute (or, for a task taken over, resolve) a claimed task on its
    /// own tokio task, holding its slot until it ends.
    fn start(&self, task: Task, taken_over: bool) {
        let slot = Slot {
            load: self.load.clone(),
            instance: task.instance_id.clone(),
            wake: Some(self.app.clone()),
        };
        let runner = self.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let id = task.id;
            let result = if taken_over {
                recover::resolve(&runner, task).await
            } else {
                execute::run(&runner, task).await
            };
            if let Err(err) = result {
                tracing::error!(task = id, %err, "task execution failed inside Sluice");
            }
        });
    }

    /// Whether this runner is executing anything.
    pub fn is_idle(&self) -> bool {
        self.load.lock().unwrap_or_else(|p| p.into_inner()).total == 0
    }
}
