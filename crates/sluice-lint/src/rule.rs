//! What a rule is: identity, documentation, configuration and a check.
//!
//! A rule is a `const` value holding a plain function pointer rather than a
//! trait object, so the registry is one declarative table of statics that
//! can be listed, documented and validated without running anything, and a
//! rule file reads top to bottom: its identity, its doc, its check, its
//! tests.

use sluice_schema::Dialect;
use sqlparser::ast::Statement;

use crate::context::Context;
use crate::diagnostic::{Diagnostic, Level};

/// Every engine; for rules that apply everywhere.
pub const ALL_ENGINES: &[Dialect] = &Dialect::ALL;
pub const POSTGRES: &[Dialect] = &[Dialect::Postgres];
pub const MYSQL: &[Dialect] = &[Dialect::Mysql];
pub const POSTGRES_MYSQL: &[Dialect] = &[Dialect::Postgres, Dialect::Mysql];

/// A review rule.
pub struct Rule {
    /// `category.rule` in kebab case, the names Bytebase users know. Never
    /// changes once released.
    pub name: &'static str,
    /// Stable numeric code, unique in the registry and never reused, even
    /// after a rule is retired.
    pub code: u32,
    /// One line saying what the rule wants.
    pub title: &'static str,
    /// The engines whose statements the rule checks.
    pub engines: &'static [Dialect],
    /// The level it reports at when a policy turns it on without saying.
    pub level: Level,
    /// What it can be configured with; an empty list means nothing.
    pub options: &'static [OptionSpec],
    pub doc: Doc,
    /// Reports what is wrong with one parsed statement. The context holds
    /// the rule's resolved config and the schema as it is just before the
    /// statement runs.
    pub check: fn(&Context<'_>, &Statement) -> Vec<Diagnostic>,
}

impl Rule {
    pub fn applies_to(&self, dialect: Dialect) -> bool {
        self.engines.contains(&dialect)
    }

    pub fn option(&self, key: &str) -> Option<&'static OptionSpec> {
        self.options.iter().find(|o| o.key == key)
    }

    /// The rule's config with every option at its default.
    pub fn default_config(&self) -> RuleConfig {
        RuleConfig {
            values: self
                .options
                .iter()
                .map(|o| (o.key, o.default.to_value()))
                .collect(),
        }
    }
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule")
            .field("name", &self.name)
            .field("code", &self.code)
            .finish_non_exhaustive()
    }
}

/// A rule's documentation, shown by `sluice lint --explain` and the UI.
#[derive(Debug, Clone, Copy)]
pub struct Doc {
    /// Why the rule exists: what goes wrong without it.
    pub problem: &'static str,
    /// What to do instead.
    pub fix: &'static str,
    /// SQL the rule reports.
    pub bad: &'static str,
    /// SQL that passes.
    pub good: &'static str,
}

/// One configurable option of a rule.
#[derive(Debug, Clone, Copy)]
pub struct OptionSpec {
    /// The key in a policy file, snake case.
    pub key: &'static str,
    pub description: &'static str,
    pub default: DefaultValue,
}

/// The type and default of an option. Typed, so that a policy with a
/// string where a number belongs is rejected when it is loaded, not when a
/// rule runs.
#[derive(Debug, Clone, Copy)]
pub enum DefaultValue {
    Bool(bool),
    Int(i64),
    /// A naming pattern: a regular-expression-like template where
    /// `{{table}}`, `{{column_list}}` and `{{referenced_table}}` stand for
    /// the names of the objects involved.
    Pattern(&'static str),
    Text(&'static str),
    /// Allow or deny lists; compared case-insensitively.
    List(&'static [&'static str]),
}

impl DefaultValue {
    pub fn kind(&self) -> &'static str {
        match self {
            DefaultValue::Bool(_) => "boolean",
            DefaultValue::Int(_) => "integer",
            DefaultValue::Pattern(_) => "naming pattern",
            DefaultValue::Text(_) => "string",
            DefaultValue::List(_) => "list of strings",
        }
    }

    pub fn to_value(&self) -> Value {
        match *self {
            DefaultValue::Bool(b) => Value::Bool(b),
            DefaultValue::Int(n) => Value::Int(n),
            DefaultValue::Pattern(s) | DefaultValue::Text(s) => Value::Text(s.to_string()),
            DefaultValue::List(l) => Value::List(l.iter().map(|s| s.to_string()).collect()),
        }
    }
}

/// A configured option value.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Text(String),
    List(Vec<String>),
}

/// A rule's options after defaults and a policy's values are merged. The
/// accessors never fail: a policy is validated against the rule's options
/// when it is loaded, and a key a rule did not declare reads as empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleConfig {
    pub values: Vec<(&'static str, Value)>,
}

impl RuleConfig {
    fn get(&self, key: &str) -> Option<&Value> {
        self.values.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    pub fn set(&mut self, key: &'static str, value: Value) {
        match self.values.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.values.push((key, value)),
        }
    }

    pub fn int(&self, key: &str) -> i64 {
        match self.get(key) {
            Some(Value::Int(n)) => *n,
            _ => 0,
        }
    }

    pub fn bool(&self, key: &str) -> bool {
        matches!(self.get(key), Some(Value::Bool(true)))
    }

    pub fn text(&self, key: &str) -> &str {
        match self.get(key) {
            Some(Value::Text(s)) => s,
            _ => "",
        }
    }

    pub fn list(&self, key: &str) -> &[String] {
        match self.get(key) {
            Some(Value::List(l)) => l,
            _ => &[],
        }
    }

    /// Whether `word` is in the list `key`, ignoring ASCII case.
    pub fn list_contains(&self, key: &str, word: &str) -> bool {
        self.list(key).iter().any(|w| w.eq_ignore_ascii_case(word))
    }
}
