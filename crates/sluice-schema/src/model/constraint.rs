//! Table constraints: primary key, unique, foreign key, check.

use serde::{Deserialize, Serialize};

use super::table::is_false;

/// The primary key. `name` is `None` where the engine does not name it
/// (SQLite); MySQL always calls it `PRIMARY`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PrimaryKey {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub columns: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl PrimaryKey {
    pub fn new<I, S>(name: Option<&str>, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        PrimaryKey {
            name: name.map(str::to_string),
            columns: columns.into_iter().map(Into::into).collect(),
            comment: None,
        }
    }
}

/// When a constraint is checked (PostgreSQL `DEFERRABLE`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Deferral {
    #[default]
    NotDeferrable,
    InitiallyImmediate,
    InitiallyDeferred,
}

impl Deferral {
    pub fn is_not_deferrable(&self) -> bool {
        *self == Deferral::NotDeferrable
    }
}

/// A unique constraint.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UniqueConstraint {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub columns: Vec<String>,
    /// PostgreSQL 15 `NULLS NOT DISTINCT`.
    #[serde(skip_serializing_if = "is_false")]
    pub nulls_not_distinct: bool,
    #[serde(skip_serializing_if = "Deferral::is_not_deferrable")]
    pub deferral: Deferral,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl UniqueConstraint {
    pub fn new<I, S>(name: Option<&str>, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        UniqueConstraint {
            name: name.map(str::to_string),
            columns: columns.into_iter().map(Into::into).collect(),
            ..Default::default()
        }
    }
}

/// `ON DELETE` / `ON UPDATE` action.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferentialAction {
    #[default]
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

impl ReferentialAction {
    pub fn is_no_action(&self) -> bool {
        *self == ReferentialAction::NoAction
    }

    pub fn as_sql(&self) -> &'static str {
        match self {
            ReferentialAction::NoAction => "NO ACTION",
            ReferentialAction::Restrict => "RESTRICT",
            ReferentialAction::Cascade => "CASCADE",
            ReferentialAction::SetNull => "SET NULL",
            ReferentialAction::SetDefault => "SET DEFAULT",
        }
    }
}

/// `MATCH` type of a foreign key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchType {
    #[default]
    Simple,
    Full,
    Partial,
}

impl MatchType {
    pub fn is_simple(&self) -> bool {
        *self == MatchType::Simple
    }
}

/// A foreign key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ForeignKey {
    /// `None` only for unnamed SQLite foreign keys.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub columns: Vec<String>,
    /// Always filled (the table's own schema for a local reference), so a
    /// reference is a stable identity independent of search paths.
    pub referenced_schema: String,
    pub referenced_table: String,
    pub referenced_columns: Vec<String>,
    #[serde(skip_serializing_if = "ReferentialAction::is_no_action")]
    pub on_delete: ReferentialAction,
    #[serde(skip_serializing_if = "ReferentialAction::is_no_action")]
    pub on_update: ReferentialAction,
    #[serde(rename = "match", skip_serializing_if = "MatchType::is_simple")]
    pub match_type: MatchType,
    #[serde(skip_serializing_if = "Deferral::is_not_deferrable")]
    pub deferral: Deferral,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl ForeignKey {
    pub fn new<I, S, J, T>(
        name: Option<&str>,
        columns: I,
        referenced_schema: impl Into<String>,
        referenced_table: impl Into<String>,
        referenced_columns: J,
    ) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
        J: IntoIterator<Item = T>,
        T: Into<String>,
    {
        ForeignKey {
            name: name.map(str::to_string),
            columns: columns.into_iter().map(Into::into).collect(),
            referenced_schema: referenced_schema.into(),
            referenced_table: referenced_table.into(),
            referenced_columns: referenced_columns.into_iter().map(Into::into).collect(),
            ..Default::default()
        }
    }

    pub fn on_delete(mut self, action: ReferentialAction) -> Self {
        self.on_delete = action;
        self
    }

    pub fn on_update(mut self, action: ReferentialAction) -> Self {
        self.on_update = action;
        self
    }

    pub fn with_match(mut self, match_type: MatchType) -> Self {
        self.match_type = match_type;
        self
    }

    pub fn with_deferral(mut self, deferral: Deferral) -> Self {
        self.deferral = deferral;
        self
    }
}

/// A check constraint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Check {
    /// `None` only for unnamed SQLite checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The boolean expression, what goes inside `CHECK (...)`.
    pub expression: String,
    /// PostgreSQL `NO INHERIT`.
    #[serde(skip_serializing_if = "is_false")]
    pub no_inherit: bool,
    /// MySQL 8 `NOT ENFORCED` sets this to false.
    pub enforced: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Default for Check {
    fn default() -> Self {
        Check {
            name: None,
            expression: String::new(),
            no_inherit: false,
            enforced: true,
            comment: None,
        }
    }
}

impl Check {
    pub fn new(name: Option<&str>, expression: impl Into<String>) -> Self {
        Check {
            name: name.map(str::to_string),
            expression: expression.into(),
            ..Default::default()
        }
    }
}
