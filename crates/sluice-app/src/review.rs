//! SQL review configs: named SQL review policies (the JSON document
//! `sluice_lint::Policy::from_json` reads), made from a template or a
//! document and edited rule by rule, attached to environments and
//! projects. The plan check `SQL_REVIEW` uses the config that applies to
//! a task: its environment's, else its project's, else the default for the
//! environment's protection (`strict-production` when protected,
//! `lenient-development` otherwise).
//!
//! A stored policy keeps the shape it was made with: `{"template": …}`
//! plus the rules edited since, so a config made from a template follows
//! that template for the rules nobody edited.

use crate::{App, AppError, AppResult, Caller, Permission, validate};
use serde_json::{Map, Value as Json, json};
use sluice_lint::{Policy, PolicyError, Rule, Setting};
use sluice_store::{Environment, ReviewConfig, ReviewConfigUse};
use std::collections::BTreeMap;

/// Where a new config's policy comes from.
#[derive(Debug, Clone)]
pub enum ReviewSource {
    /// A built-in template: `strict-production` or `lenient-development`.
    Template(String),
    /// A policy document, as `sluice lint --config` reads.
    Policy(Json),
}

/// A change to one rule: its level and/or some of its options.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulePatch {
    /// ERROR, WARNING or DISABLED.
    pub level: Option<String>,
    /// Option values by key, checked against the rule's declared options.
    pub config: Option<Map<String, Json>>,
}

/// A config with where it is attached.
#[derive(Debug, Clone)]
pub struct ReviewConfigSummary {
    pub config: ReviewConfig,
    pub used_by: ReviewConfigUse,
}

/// A config with every rule's setting, for display and the API.
#[derive(Debug, Clone)]
pub struct ReviewConfigDetail {
    pub config: ReviewConfig,
    pub used_by: ReviewConfigUse,
    pub rules: Vec<RuleSetting>,
}

/// One rule as a config sets it.
#[derive(Debug, Clone)]
pub struct RuleSetting {
    pub rule: &'static Rule,
    /// The part of the name before the first dot (`syntax` for syntax).
    pub category: &'static str,
    pub level: Setting,
    /// Every option of the rule with its value in this config.
    pub config: Vec<(&'static str, Json)>,
}

/// The policy that reviews a task, and where it came from.
#[derive(Debug, Clone)]
pub struct ResolvedReview {
    pub policy: Policy,
    /// The config in force, when one is attached.
    pub config: Option<ReviewConfig>,
    /// `environment <id>`, `project <id>` or `default`.
    pub source: String,
    /// A sentence naming the policy: "review config \"Strict\" (strict),
    /// attached to environment prod".
    pub description: String,
}

/// The category of a rule: `naming` for `naming.index.idx`.
pub fn category(rule: &Rule) -> &'static str {
    rule.name.split('.').next().unwrap_or(rule.name)
}

/// The categories in the order the UI lists them, then any others.
pub const CATEGORY_ORDER: &[&str] = &[
    "syntax",
    "naming",
    "table",
    "column",
    "index",
    "statement",
    "schema",
    "engine",
    "database",
    "system",
];

/// The default template for an environment with no config attached.
pub fn default_template(protected: bool) -> &'static str {
    if protected {
        "strict-production"
    } else {
        "lenient-development"
    }
}

fn parse_setting(field: &str, text: &str) -> AppResult<Setting> {
    match text {
        "ERROR" => Ok(Setting::Error),
        "WARNING" => Ok(Setting::Warning),
        "DISABLED" => Ok(Setting::Disabled),
        other => Err(AppError::invalid(
            field,
            format!("{other:?} is not a level: use ERROR, WARNING or DISABLED"),
        )),
    }
}

/// A policy error as an invalid argument naming the field: under `prefix`
/// (`rules` for a patch, `policy.rules` for a document), a rule's options
/// sit under `config` in a patch and beside `level` in a document.
fn policy_error(prefix: &str, options_under_config: bool, err: PolicyError) -> AppError {
    let field = match (&err.rule, &err.key) {
        (Some(rule), Some(key)) if key == "level" => format!("{prefix}.{rule}.level"),
        (Some(rule), Some(key)) if options_under_config => {
            format!("{prefix}.{rule}.config.{key}")
        }
        (Some(rule), Some(key)) => format!("{prefix}.{rule}.{key}"),
        (Some(rule), None) => format!("{prefix}.{rule}"),
        (None, Some(key)) if options_under_config => key.clone(),
        (None, Some(key)) => format!("policy.{key}"),
        (None, None) => "policy".to_string(),
    };
    AppError::invalid(&field, err.message)
}

/// Read a stored policy document.
pub fn parse_policy(config: &ReviewConfig) -> AppResult<Policy> {
    Policy::from_json(&config.policy).map_err(|e| {
        AppError::FailedPrecondition(format!("review config {} cannot be read: {e}", config.id))
    })
}

/// A rule option's value as JSON.
fn option_json(value: &sluice_lint::rule::Value) -> Json {
    serde_json::to_value(value).unwrap_or(Json::Null)
}

/// Every rule of the registry as `policy` sets it.
pub fn rule_settings(policy: &Policy) -> Vec<RuleSetting> {
    let mut out: Vec<RuleSetting> = sluice_lint::RULES
        .iter()
        .map(|rule| {
            let config = policy
                .config(rule)
                .cloned()
                .unwrap_or_else(|| rule.default_config());
            RuleSetting {
                rule,
                category: category(rule),
                level: policy.setting(rule),
                config: rule
                    .options
                    .iter()
                    .map(|o| {
                        let value = config
                            .values
                            .iter()
                            .find(|(k, _)| *k == o.key)
                            .map(|(_, v)| option_json(v))
                            .unwrap_or_else(|| option_json(&o.default.to_value()));
                        (o.key, value)
                    })
                    .collect(),
            }
        })
        .collect();
    let rank = |c: &str| {
        CATEGORY_ORDER
            .iter()
            .position(|x| *x == c)
            .unwrap_or(CATEGORY_ORDER.len())
    };
    out.sort_by(|a, b| {
        (rank(a.category), a.category, a.rule.name).cmp(&(
            rank(b.category),
            b.category,
            b.rule.name,
        ))
    });
    out
}

/// Apply rule patches to a stored document; the result is validated by the
/// caller through `Policy::from_json`.
fn patch_document(document: &str, rules: &BTreeMap<String, RulePatch>) -> AppResult<String> {
    let mut doc: Json = serde_json::from_str(document)
        .map_err(|e| AppError::Internal(format!("stored review policy: {e}")))?;
    let current =
        Policy::from_json(document).map_err(|e| policy_error("policy.rules", false, e))?;
    let Some(object) = doc.as_object_mut() else {
        return Err(AppError::Internal(
            "stored review policy is not an object".into(),
        ));
    };
    let entries = object
        .entry("rules")
        .or_insert_with(|| Json::Object(Map::new()));
    let Some(entries) = entries.as_object_mut() else {
        return Err(AppError::Internal(
            "stored review rules are not an object".into(),
        ));
    };
    for (name, patch) in rules {
        let rule = sluice_lint::find(name).ok_or_else(|| {
            AppError::invalid(
                &format!("rules.{name}"),
                "no such rule (see `sluice lint --list-rules`)",
            )
        })?;
        let level = match &patch.level {
            Some(text) => parse_setting(&format!("rules.{name}.level"), text)?,
            None => current.setting(rule),
        };
        let mut entry = Map::new();
        entry.insert("level".into(), Json::from(level.as_str()));
        let config = current
            .config(rule)
            .cloned()
            .unwrap_or_else(|| rule.default_config());
        for (key, value) in &config.values {
            entry.insert((*key).to_string(), option_json(value));
        }
        for (key, value) in patch.config.iter().flatten() {
            if key == "level" {
                return Err(AppError::invalid(
                    &format!("rules.{name}.config.level"),
                    "the level is not an option: set it beside config",
                ));
            }
            entry.insert(key.clone(), value.clone());
        }
        entries.insert(name.clone(), Json::Object(entry));
    }
    let text = serde_json::to_string(&doc)
        .map_err(|e| AppError::Internal(format!("review policy: {e}")))?;
    Policy::from_json(&text).map_err(|e| policy_error("rules", true, e))?;
    Ok(text)
}

impl App {
    /// Every review config with where it is attached.
    pub async fn list_review_configs(
        &self,
        caller: &Caller,
    ) -> AppResult<Vec<ReviewConfigSummary>> {
        self.authorize(caller, Permission::ReviewConfigsGet, None)
            .await?;
        let mut out = Vec::new();
        for config in self.store.list_review_configs().await? {
            let used_by = self.store.review_config_use(&config.id).await?;
            out.push(ReviewConfigSummary { config, used_by });
        }
        Ok(out)
    }

    /// A config with every rule's level and options.
    pub async fn review_config(&self, caller: &Caller, id: &str) -> AppResult<ReviewConfigDetail> {
        self.authorize(caller, Permission::ReviewConfigsGet, None)
            .await?;
        self.review_config_detail(id).await
    }

    async fn review_config_detail(&self, id: &str) -> AppResult<ReviewConfigDetail> {
        let config = self.store.review_config(id).await?;
        let policy = parse_policy(&config)?;
        Ok(ReviewConfigDetail {
            used_by: self.store.review_config_use(id).await?,
            rules: rule_settings(&policy),
            config,
        })
    }

    /// Create a config from a template or a policy document.
    pub async fn create_review_config(
        &self,
        caller: &Caller,
        id: &str,
        title: &str,
        source: &ReviewSource,
    ) -> AppResult<ReviewConfigDetail> {
        self.authorize(caller, Permission::ReviewConfigsManage, None)
            .await?;
        validate::resource_id("id", id)?;
        let title = validate::title("title", title)?;
        let document = match source {
            ReviewSource::Template(name) => {
                if Policy::template(name).is_none() {
                    return Err(AppError::invalid(
                        "template",
                        format!(
                            "unknown template {name:?}: use {}",
                            sluice_lint::TEMPLATES.join(" or ")
                        ),
                    ));
                }
                json!({"template": name, "rules": {}}).to_string()
            }
            ReviewSource::Policy(doc) => {
                let text = doc.to_string();
                Policy::from_json(&text).map_err(|e| policy_error("policy.rules", false, e))?;
                text
            }
        };
        let from = match source {
            ReviewSource::Template(name) => json!({"template": name}),
            ReviewSource::Policy(_) => json!({"policy": "document"}),
        };
        self.audited(
            caller,
            "review-configs.create",
            &format!("review-configs/{id}"),
            json!({"title": title, "from": from}),
            async {
                self.store
                    .create_review_config(id, &title, &document)
                    .await?;
                self.review_config_detail(id).await
            },
        )
        .await
    }

    /// Change a config's title and rules, rule by rule. Nothing is written
    /// unless every change is valid.
    pub async fn update_review_config(
        &self,
        caller: &Caller,
        id: &str,
        title: Option<&str>,
        rules: &BTreeMap<String, RulePatch>,
    ) -> AppResult<ReviewConfigDetail> {
        self.authorize(caller, Permission::ReviewConfigsManage, None)
            .await?;
        let title = title.map(|t| validate::title("title", t)).transpose()?;
        let current = self.store.review_config(id).await?;
        let document = if rules.is_empty() {
            None
        } else {
            Some(patch_document(&current.policy, rules)?)
        };
        let detail: BTreeMap<&String, Json> = rules
            .iter()
            .map(|(name, p)| (name, json!({"level": p.level, "config": p.config})))
            .collect();
        self.audited(
            caller,
            "review-configs.update",
            &format!("review-configs/{id}"),
            json!({"title": title, "rules": detail}),
            async {
                self.store
                    .update_review_config(id, title.as_deref(), document.as_deref())
                    .await?;
                self.review_config_detail(id).await
            },
        )
        .await
    }

    /// Delete a config; one still attached is refused, naming where.
    pub async fn delete_review_config(&self, caller: &Caller, id: &str) -> AppResult<()> {
        self.authorize(caller, Permission::ReviewConfigsManage, None)
            .await?;
        self.audited(
            caller,
            "review-configs.delete",
            &format!("review-configs/{id}"),
            json!({}),
            async { Ok(self.store.delete_review_config(id).await?) },
        )
        .await
    }

    /// Attach a config to an environment (`None` detaches): its tasks are
    /// reviewed with it from the next check on.
    pub async fn set_environment_review_config(
        &self,
        caller: &Caller,
        environment: &str,
        config: Option<&str>,
    ) -> AppResult<Environment> {
        self.authorize(caller, Permission::EnvironmentsUpdate, None)
            .await?;
        self.authorize(caller, Permission::ReviewConfigsManage, None)
            .await?;
        self.audited(
            caller,
            "environments.set-review-config",
            &format!("environments/{environment}"),
            json!({"review_config": config}),
            async {
                Ok(self
                    .store
                    .set_environment_review_config(environment, config)
                    .await?)
            },
        )
        .await
    }

    /// Attach a config to a project (`None` detaches). An environment's own
    /// config wins over the project's.
    pub async fn set_project_review_config(
        &self,
        caller: &Caller,
        project: &str,
        config: Option<&str>,
    ) -> AppResult<sluice_store::Project> {
        self.authorize(caller, Permission::ProjectsUpdate, Some(project))
            .await?;
        self.authorize(caller, Permission::ReviewConfigsManage, None)
            .await?;
        self.audited(
            caller,
            "projects.set-review-config",
            &format!("projects/{project}"),
            json!({"review_config": config}),
            async {
                Ok(self
                    .store
                    .set_project_review_config(project, config)
                    .await?)
            },
        )
        .await
    }

    /// The review policy for a change to `environment` in `project`, as the
    /// caller may see it.
    pub async fn effective_review(
        &self,
        caller: &Caller,
        environment: &str,
        project: Option<&str>,
    ) -> AppResult<ResolvedReview> {
        self.authorize(caller, Permission::ReviewConfigsGet, None)
            .await?;
        let environment = self.store.environment(environment).await?;
        self.resolve_review(&environment, project).await
    }

    /// The environment's config, else the project's, else the default for
    /// the environment's protection.
    pub(crate) async fn resolve_review(
        &self,
        environment: &Environment,
        project: Option<&str>,
    ) -> AppResult<ResolvedReview> {
        let mut attached = None;
        if let Some(id) = &environment.review_config_id {
            attached = Some((format!("environment {}", environment.id), id.clone()));
        } else if let Some(project) = project
            && let Some(id) = self.store.project(project).await?.review_config_id
        {
            attached = Some((format!("project {project}"), id));
        }
        if let Some((source, id)) = attached {
            let config = self.store.review_config(&id).await?;
            let policy = parse_policy(&config)?;
            return Ok(ResolvedReview {
                policy,
                description: format!(
                    "review config {:?} ({}), attached to {source}",
                    config.title, config.id
                ),
                config: Some(config),
                source,
            });
        }
        let template = default_template(environment.protected);
        Ok(ResolvedReview {
            policy: Policy::template(template).unwrap_or_else(Policy::strict_production),
            config: None,
            source: "default".into(),
            description: format!(
                "default {template} review policy of {} environment {}",
                if environment.protected {
                    "protected"
                } else {
                    "unprotected"
                },
                environment.id
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch(level: Option<&str>, config: Option<Json>) -> RulePatch {
        RulePatch {
            level: level.map(str::to_string),
            config: config.and_then(|c| c.as_object().cloned()),
        }
    }

    fn one(name: &str, p: RulePatch) -> BTreeMap<String, RulePatch> {
        BTreeMap::from([(name.to_string(), p)])
    }

    const STRICT: &str = r#"{"template":"strict-production","rules":{}}"#;

    fn field(err: AppError) -> String {
        match err {
            AppError::InvalidArgument { field, .. } => field,
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }

    #[test]
    fn a_level_patch_keeps_the_template_for_the_rest() {
        let doc = patch_document(
            STRICT,
            &one("statement.disallow-commit", patch(Some("DISABLED"), None)),
        )
        .unwrap();
        let policy = Policy::from_json(&doc).unwrap();
        let commit = sluice_lint::find("statement.disallow-commit").unwrap();
        let pk = sluice_lint::find("table.require-pk").unwrap();
        assert_eq!(policy.setting(commit), Setting::Disabled);
        assert_eq!(policy.setting(pk), Setting::Error);
        assert!(doc.contains("\"template\":\"strict-production\""), "{doc}");
    }

    #[test]
    fn a_config_patch_keeps_the_level_in_force() {
        let rule = sluice_lint::RULES
            .iter()
            .find(|r| {
                r.options
                    .iter()
                    .any(|o| matches!(o.default, sluice_lint::DefaultValue::Int(_)))
            })
            .expect("a rule with a number option");
        let key = rule
            .options
            .iter()
            .find(|o| matches!(o.default, sluice_lint::DefaultValue::Int(_)))
            .unwrap()
            .key;
        let before = Policy::from_json(STRICT).unwrap().setting(rule);
        let doc = patch_document(
            STRICT,
            &one(rule.name, patch(None, Some(json!({ key: 7 })))),
        )
        .unwrap();
        let policy = Policy::from_json(&doc).unwrap();
        assert_eq!(policy.setting(rule), before);
        assert_eq!(policy.config(rule).unwrap().int(key), 7);
        // A string where a number belongs names the field.
        let err = patch_document(
            STRICT,
            &one(rule.name, patch(None, Some(json!({ key: "seven" })))),
        )
        .unwrap_err();
        assert_eq!(field(err), format!("rules.{}.config.{key}", rule.name));
    }

    #[test]
    fn bad_patches_name_the_field() {
        let err =
            patch_document(STRICT, &one("no.such-rule", patch(Some("ERROR"), None))).unwrap_err();
        assert_eq!(field(err), "rules.no.such-rule");
        let err = patch_document(STRICT, &one("table.require-pk", patch(Some("FATAL"), None)))
            .unwrap_err();
        assert_eq!(field(err), "rules.table.require-pk.level");
        let err = patch_document(
            STRICT,
            &one("table.require-pk", patch(None, Some(json!({"bogus": 1})))),
        )
        .unwrap_err();
        assert_eq!(field(err), "rules.table.require-pk.config.bogus");
    }

    #[test]
    fn every_rule_is_listed_once_in_category_order() {
        let settings = rule_settings(&Policy::strict_production());
        assert_eq!(settings.len(), sluice_lint::RULES.len());
        assert_eq!(settings[0].category, "syntax");
        let pk = settings
            .iter()
            .find(|s| s.rule.name == "table.require-pk")
            .unwrap();
        assert_eq!((pk.category, pk.level), ("table", Setting::Error));
    }
}
