//! The home page: what waits for the viewer (approvals, manual stages,
//! failed tasks, their open issues), the environments in order with their
//! instances, and the viewer's projects.

use super::instances::{InstanceRow, instance_rows};
use super::issues::{WaitingRow, waiting_for};
use super::layout::{Layout, Section, error_page};
use super::projects::{ProjectRow, project_rows};
use super::session::Ctx;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use sluice_app::Permission;

pub struct EnvCard {
    pub id: String,
    pub title: String,
    pub protected: bool,
    pub instances: Vec<InstanceRow>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    envs: Vec<EnvCard>,
    projects: Vec<ProjectRow>,
    can_create_env: bool,
    can_create_instance: bool,
    can_create_project: bool,
    sees_all: bool,
    waiting: Vec<WaitingRow>,
    mine: Vec<WaitingRow>,
    failed: Vec<WaitingRow>,
}

pub async fn home(State(state): State<AppState>, ctx: Ctx) -> Response {
    let (envs, instances, projects) = match tokio::try_join!(
        state.app.list_environments(&ctx.caller, false),
        state.app.list_instances(&ctx.caller, false),
        state.app.list_projects(&ctx.caller, false),
    ) {
        Ok(v) => v,
        Err(err) => return error_page(&ctx, Section::Home, err),
    };
    let (waiting, mine, failed) = waiting_for(&state, &ctx).await;
    let rows = instance_rows(&instances, &envs);
    let envs = envs
        .iter()
        .map(|e| EnvCard {
            id: e.id.clone(),
            title: e.title.clone(),
            protected: e.protected,
            instances: rows
                .iter()
                .filter(|r| r.environment == e.id)
                .cloned()
                .collect(),
        })
        .collect();
    let can_create_instance = ctx.can(Permission::InstancesCreate);
    let mut l = ctx.layout(Section::Home, "Home");
    if can_create_instance {
        l = l.action("Add instance", "/instances/new");
    } else if ctx.can(Permission::ProjectsCreate) {
        l = l.action("New project", "/projects/new");
    }
    let page = HomePage {
        l,
        envs,
        projects: project_rows(&projects),
        can_create_env: ctx.can(Permission::EnvironmentsCreate),
        can_create_instance,
        can_create_project: ctx.can(Permission::ProjectsCreate),
        sees_all: ctx.can(Permission::ProjectsGet),
        waiting,
        mine,
        failed,
    };
    ctx.ok(&page)
}
