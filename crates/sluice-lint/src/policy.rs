//! Policies: which rules run, at which level, with which config.
//!
//! A policy is a map from rule name to a setting. It is stored and
//! exchanged as JSON, the same document the API and the policy file of
//! `sluice lint --config` use:
//!
//! ```json
//! {
//!   "template": "strict-production",
//!   "rules": {
//!     "naming.table": { "level": "WARNING", "format": "^[a-z][a-z0-9_]*$" },
//!     "statement.disallow-commit": "DISABLED"
//!   }
//! }
//! ```
//!
//! `template` (optional) starts from a built-in policy; each entry under
//! `rules` then replaces that rule's setting: a level alone, or an object
//! with `level` and any of the rule's options. Every name, level, key and
//! value type is checked when the policy is loaded, and an error names the
//! rule and key, so a typo fails loudly instead of silently checking less.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use crate::diagnostic::Level;
use crate::registry::{self, RULES};
use crate::rule::{DefaultValue, Rule, RuleConfig, Value};

/// A rule's level in a policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Setting {
    Error,
    Warning,
    Disabled,
}

impl Setting {
    pub fn as_str(self) -> &'static str {
        match self {
            Setting::Error => "ERROR",
            Setting::Warning => "WARNING",
            Setting::Disabled => "DISABLED",
        }
    }

    fn parse(text: &str) -> Option<Setting> {
        match text.to_ascii_uppercase().as_str() {
            "ERROR" => Some(Setting::Error),
            "WARNING" => Some(Setting::Warning),
            "DISABLED" => Some(Setting::Disabled),
            _ => None,
        }
    }

    pub fn level(self) -> Option<Level> {
        match self {
            Setting::Error => Some(Level::Error),
            Setting::Warning => Some(Level::Warning),
            Setting::Disabled => None,
        }
    }
}

impl From<Level> for Setting {
    fn from(level: Level) -> Self {
        match level {
            Level::Error => Setting::Error,
            Level::Warning => Setting::Warning,
        }
    }
}

/// Why a policy document was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", location(.rule, .key))]
pub struct PolicyError {
    pub rule: Option<String>,
    pub key: Option<String>,
    pub message: String,
}

fn location(rule: &Option<String>, key: &Option<String>) -> String {
    match (rule, key) {
        (Some(r), Some(k)) => format!("rule {r}, key {k}: "),
        (Some(r), None) => format!("rule {r}: "),
        (None, Some(k)) => format!("{k}: "),
        (None, None) => String::new(),
    }
}

fn error(rule: Option<&str>, key: Option<&str>, message: impl Into<String>) -> PolicyError {
    PolicyError {
        rule: rule.map(str::to_string),
        key: key.map(str::to_string),
        message: message.into(),
    }
}

/// The built-in templates, by name.
pub const TEMPLATES: &[&str] = &["strict-production", "lenient-development"];

/// Rules the strict production template turns on, with their level there;
/// every other rule is off. Lock safety and data safety block (ERROR);
/// naming and style warn.
const STRICT_PRODUCTION: &[(&str, Setting)] = &[
    ("syntax", Setting::Error),
    ("statement.where.require-update-delete", Setting::Error),
    ("statement.disallow-truncate", Setting::Error),
    ("statement.select.no-select-all", Setting::Warning),
    ("statement.insert.must-specify-column", Setting::Error),
    ("statement.disallow-commit", Setting::Error),
    ("statement.add-check-not-valid", Setting::Error),
    ("statement.add-foreign-key-not-valid", Setting::Error),
    ("statement.disallow-add-not-null", Setting::Error),
    ("statement.disallow-on-del-cascade", Setting::Warning),
    ("statement.disallow-rm-tbl-cascade", Setting::Error),
    ("table.require-pk", Setting::Error),
    ("table.no-foreign-key", Setting::Warning),
    ("column.no-null", Setting::Warning),
    ("column.require-default", Setting::Warning),
    ("column.type-disallow-list", Setting::Error),
    ("column.maximum-varchar-length", Setting::Warning),
    ("column.disallow-change-type", Setting::Error),
    ("naming.table", Setting::Warning),
    ("naming.column", Setting::Warning),
    ("naming.index.idx", Setting::Warning),
    ("naming.index.uk", Setting::Warning),
    ("index.no-duplicate-column", Setting::Error),
    ("index.key-number-limit", Setting::Warning),
    ("index.create-concurrently", Setting::Error),
    ("schema.backward-compatibility", Setting::Error),
    ("engine.mysql.use-innodb", Setting::Error),
    ("system.function-disallow-create", Setting::Warning),
    ("system.procedure-disallow-create", Setting::Warning),
    ("system.charset-allowlist", Setting::Error),
    ("system.collation-allowlist", Setting::Warning),
    ("database.drop-empty-database", Setting::Error),
    ("naming.index.fk", Setting::Warning),
    ("naming.index.pk", Setting::Warning),
    ("naming.auto-increment-column", Setting::Warning),
    ("naming.table.no-keyword", Setting::Warning),
    ("naming.identifier.no-keyword", Setting::Warning),
    ("table.drop-naming-convention", Setting::Error),
    ("table.no-duplicate-index", Setting::Warning),
    ("table.require-charset", Setting::Warning),
    ("table.require-collation", Setting::Warning),
    ("column.set-default-for-not-null", Setting::Warning),
    ("column.maximum-character-length", Setting::Warning),
    ("column.auto-increment-must-integer", Setting::Error),
    ("column.auto-increment-must-unsigned", Setting::Warning),
    ("column.disallow-drop-in-index", Setting::Error),
    ("column.disallow-changing-order", Setting::Warning),
    ("column.current-time-count-limit", Setting::Warning),
    ("column.default-disallow-volatile", Setting::Error),
    ("index.total-number-limit", Setting::Warning),
    ("index.pk-type-limit", Setting::Warning),
    ("index.type-no-blob", Setting::Warning),
    ("statement.where.no-leading-wildcard-like", Setting::Warning),
    ("statement.disallow-limit", Setting::Warning),
    ("statement.disallow-order-by", Setting::Warning),
    ("statement.insert.disallow-order-by-rand", Setting::Warning),
    ("statement.insert.row-limit", Setting::Warning),
    ("statement.merge-alter-table", Setting::Warning),
    ("statement.require-algorithm-option", Setting::Warning),
    ("statement.require-lock-option", Setting::Warning),
];

/// The lenient development template: only what breaks data or the
/// script, as warnings, plus syntax errors.
const LENIENT_DEVELOPMENT: &[(&str, Setting)] = &[
    ("syntax", Setting::Error),
    ("statement.where.require-update-delete", Setting::Warning),
    ("statement.disallow-truncate", Setting::Warning),
    ("statement.disallow-rm-tbl-cascade", Setting::Warning),
    ("table.require-pk", Setting::Warning),
    ("index.no-duplicate-column", Setting::Warning),
    ("schema.backward-compatibility", Setting::Warning),
    ("column.disallow-drop-in-index", Setting::Warning),
    ("column.default-disallow-volatile", Setting::Warning),
    ("database.drop-empty-database", Setting::Warning),
];

#[derive(Debug, Clone)]
struct Entry {
    setting: Setting,
    config: RuleConfig,
}

/// Which rules run at which level with which config.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    entries: BTreeMap<&'static str, Entry>,
}

impl Policy {
    /// No rule at all, not even syntax.
    pub fn empty() -> Self {
        Policy::default()
    }

    /// Every rule at its default level and config (`--all-rules`).
    pub fn all_rules() -> Self {
        let mut policy = Policy::empty();
        for rule in RULES {
            policy.set(rule, rule.level.into());
        }
        policy
    }

    /// The default when nothing else is said.
    pub fn strict_production() -> Self {
        Policy::from_table(STRICT_PRODUCTION)
    }

    pub fn lenient_development() -> Self {
        Policy::from_table(LENIENT_DEVELOPMENT)
    }

    /// A built-in template by name (see [`TEMPLATES`]).
    pub fn template(name: &str) -> Option<Self> {
        match name {
            "strict-production" => Some(Policy::strict_production()),
            "lenient-development" => Some(Policy::lenient_development()),
            _ => None,
        }
    }

    fn from_table(table: &[(&str, Setting)]) -> Self {
        let mut policy = Policy::empty();
        for (name, setting) in table {
            let rule = registry::find(name).expect("templates name registered rules");
            policy.set(rule, *setting);
        }
        policy
    }

    /// Sets `rule` to `setting`, keeping its config (or the defaults).
    pub fn set(&mut self, rule: &'static Rule, setting: Setting) {
        self.entries
            .entry(rule.name)
            .and_modify(|e| e.setting = setting)
            .or_insert_with(|| Entry {
                setting,
                config: rule.default_config(),
            });
    }

    /// The level of `rule` in this policy, `None` when it is off.
    pub fn level(&self, rule: &Rule) -> Option<Level> {
        self.entries.get(rule.name).and_then(|e| e.setting.level())
    }

    pub fn setting(&self, rule: &Rule) -> Setting {
        self.entries
            .get(rule.name)
            .map_or(Setting::Disabled, |e| e.setting)
    }

    pub fn config(&self, rule: &Rule) -> Option<&RuleConfig> {
        self.entries.get(rule.name).map(|e| &e.config)
    }

    /// The rules that are on, in registry order, with level and config.
    pub fn enabled(&self) -> impl Iterator<Item = (&'static Rule, Level, &RuleConfig)> + '_ {
        RULES.iter().filter_map(|rule| {
            let entry = self.entries.get(rule.name)?;
            Some((*rule, entry.setting.level()?, &entry.config))
        })
    }

    /// Reads a policy document (see the module docs).
    pub fn from_json(text: &str) -> Result<Self, PolicyError> {
        let doc: Json = serde_json::from_str(text)
            .map_err(|e| error(None, None, format!("not valid JSON: {e}")))?;
        let Json::Object(doc) = doc else {
            return Err(error(None, None, "a policy is a JSON object"));
        };
        let mut policy = Policy::empty();
        for (key, value) in &doc {
            match key.as_str() {
                "template" => {
                    let name = value
                        .as_str()
                        .ok_or_else(|| error(None, Some("template"), "expected a string"))?;
                    policy = Policy::template(name).ok_or_else(|| {
                        error(
                            None,
                            Some("template"),
                            format!(
                                "unknown template {name:?} (expected {})",
                                TEMPLATES.join(" or ")
                            ),
                        )
                    })?;
                }
                "rules" => {}
                other => {
                    return Err(error(
                        None,
                        Some(other),
                        "unknown key (expected template or rules)",
                    ));
                }
            }
        }
        let rules = match doc.get("rules") {
            None => return Ok(policy),
            Some(Json::Object(rules)) => rules,
            Some(_) => return Err(error(None, Some("rules"), "expected an object")),
        };
        for (name, value) in rules {
            let rule = registry::find(name).ok_or_else(|| {
                error(
                    Some(name),
                    None,
                    "no such rule (see `sluice lint --list-rules`)",
                )
            })?;
            policy.apply_entry(rule, value)?;
        }
        Ok(policy)
    }

    fn apply_entry(&mut self, rule: &'static Rule, value: &Json) -> Result<(), PolicyError> {
        let name = rule.name;
        let parse_level = |v: &Json| {
            v.as_str().and_then(Setting::parse).ok_or_else(|| {
                error(
                    Some(name),
                    Some("level"),
                    "expected ERROR, WARNING or DISABLED",
                )
            })
        };
        let mut config = rule.default_config();
        let setting = match value {
            Json::String(_) => parse_level(value)?,
            Json::Object(fields) => {
                let mut setting = Setting::from(rule.level);
                for (key, v) in fields {
                    if key == "level" {
                        setting = parse_level(v)?;
                        continue;
                    }
                    let spec = rule.option(key).ok_or_else(|| {
                        let known: Vec<&str> = rule.options.iter().map(|o| o.key).collect();
                        let expected = if known.is_empty() {
                            "the rule has no options".to_string()
                        } else {
                            format!("expected one of {}", known.join(", "))
                        };
                        error(
                            Some(name),
                            Some(key),
                            format!("unknown option ({expected})"),
                        )
                    })?;
                    config.set(spec.key, typed(name, spec.key, spec.default, v)?);
                }
                setting
            }
            _ => {
                return Err(error(
                    Some(name),
                    None,
                    "expected a level string or an object with level and options",
                ));
            }
        };
        self.entries.insert(name, Entry { setting, config });
        Ok(())
    }
}

/// `value` checked against the type of the option's default.
fn typed(rule: &str, key: &str, default: DefaultValue, value: &Json) -> Result<Value, PolicyError> {
    let wrong = || {
        error(
            Some(rule),
            Some(key),
            format!("expected a {}, got {value}", default.kind()),
        )
    };
    Ok(match default {
        DefaultValue::Bool(_) => Value::Bool(value.as_bool().ok_or_else(wrong)?),
        DefaultValue::Int(_) => Value::Int(value.as_i64().ok_or_else(wrong)?),
        DefaultValue::Text(_) => Value::Text(value.as_str().ok_or_else(wrong)?.to_string()),
        DefaultValue::Pattern(_) => {
            let pattern = value.as_str().ok_or_else(wrong)?;
            // Templates are filled with escaped names at check time; a
            // pattern must compile with any name in them.
            let probe = crate::rules::naming::fill(pattern, "t", &["c".to_string()], "r");
            regex::Regex::new(&probe)
                .map_err(|e| error(Some(rule), Some(key), format!("not a valid pattern: {e}")))?;
            Value::Text(pattern.to_string())
        }
        DefaultValue::List(_) => {
            let items = value.as_array().ok_or_else(wrong)?;
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push(item.as_str().ok_or_else(wrong)?.to_string());
            }
            Value::List(out)
        }
    })
}
