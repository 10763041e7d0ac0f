//! Indexes and their key parts.

use serde::{Deserialize, Serialize};

use super::table::is_false;

/// An index method. Known methods are variants so the diff can compare them
/// exactly; anything else (an extension's `bloom`, `ivfflat`) is kept by name.
/// Serialized as its lowercase name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum IndexMethod {
    #[default]
    Btree,
    Hash,
    Gin,
    Gist,
    Spgist,
    Brin,
    /// MySQL `FULLTEXT`.
    Fulltext,
    /// MySQL `SPATIAL`.
    Spatial,
    Other(String),
}

impl IndexMethod {
    pub fn as_str(&self) -> &str {
        match self {
            IndexMethod::Btree => "btree",
            IndexMethod::Hash => "hash",
            IndexMethod::Gin => "gin",
            IndexMethod::Gist => "gist",
            IndexMethod::Spgist => "spgist",
            IndexMethod::Brin => "brin",
            IndexMethod::Fulltext => "fulltext",
            IndexMethod::Spatial => "spatial",
            IndexMethod::Other(s) => s,
        }
    }

    pub fn is_btree(&self) -> bool {
        *self == IndexMethod::Btree
    }
}

impl From<String> for IndexMethod {
    fn from(s: String) -> Self {
        match s.to_ascii_lowercase().as_str() {
            "btree" => IndexMethod::Btree,
            "hash" => IndexMethod::Hash,
            "gin" => IndexMethod::Gin,
            "gist" => IndexMethod::Gist,
            "spgist" => IndexMethod::Spgist,
            "brin" => IndexMethod::Brin,
            "fulltext" => IndexMethod::Fulltext,
            "spatial" => IndexMethod::Spatial,
            other => IndexMethod::Other(other.to_string()),
        }
    }
}

impl From<&str> for IndexMethod {
    fn from(s: &str) -> Self {
        IndexMethod::from(s.to_string())
    }
}

impl From<IndexMethod> for String {
    fn from(m: IndexMethod) -> String {
        m.as_str().to_string()
    }
}

/// An index.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Index {
    pub name: String,
    pub unique: bool,
    #[serde(skip_serializing_if = "IndexMethod::is_btree")]
    pub method: IndexMethod,
    pub parts: Vec<IndexPart>,
    /// Partial index predicate (`WHERE ...`), without the keyword.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predicate: Option<String>,
    /// PostgreSQL `INCLUDE (...)` columns, in declared order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    #[serde(skip_serializing_if = "is_false")]
    pub nulls_not_distinct: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Index {
    pub fn new(name: impl Into<String>) -> Self {
        Index {
            name: name.into(),
            ..Default::default()
        }
    }

    pub fn unique(mut self) -> Self {
        self.unique = true;
        self
    }

    pub fn with_method(mut self, method: impl Into<IndexMethod>) -> Self {
        self.method = method.into();
        self
    }

    pub fn with_part(mut self, part: IndexPart) -> Self {
        self.parts.push(part);
        self
    }

    /// Adds ascending column parts.
    pub fn on_columns<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.parts
            .extend(columns.into_iter().map(|c| IndexPart::column(c)));
        self
    }

    pub fn with_predicate(mut self, predicate: impl Into<String>) -> Self {
        self.predicate = Some(predicate.into());
        self
    }

    pub fn with_include<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.include.extend(columns.into_iter().map(Into::into));
        self
    }

    pub fn with_comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }
}

/// What one index key part indexes.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndexKey {
    Column(String),
    /// An expression as the server prints it, without enclosing parentheses.
    Expression(String),
}

impl Default for IndexKey {
    fn default() -> Self {
        IndexKey::Column(String::new())
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    #[default]
    Asc,
    Desc,
}

impl SortOrder {
    pub fn is_asc(&self) -> bool {
        *self == SortOrder::Asc
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NullsOrder {
    First,
    Last,
}

/// One key part of an index.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IndexPart {
    pub key: IndexKey,
    #[serde(skip_serializing_if = "SortOrder::is_asc")]
    pub order: SortOrder,
    /// Explicit nulls order. Normalization clears it on PostgreSQL when it is
    /// the default for the sort order (LAST for ASC, FIRST for DESC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nulls: Option<NullsOrder>,
    /// MySQL prefix length in characters (`name(10)`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix_length: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// PostgreSQL operator class when it is not the type's default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opclass: Option<String>,
}

impl IndexPart {
    pub fn column(name: impl Into<String>) -> Self {
        IndexPart {
            key: IndexKey::Column(name.into()),
            ..Default::default()
        }
    }

    pub fn expression(expr: impl Into<String>) -> Self {
        IndexPart {
            key: IndexKey::Expression(expr.into()),
            ..Default::default()
        }
    }

    pub fn desc(mut self) -> Self {
        self.order = SortOrder::Desc;
        self
    }

    pub fn nulls(mut self, nulls: NullsOrder) -> Self {
        self.nulls = Some(nulls);
        self
    }

    pub fn prefix(mut self, length: u32) -> Self {
        self.prefix_length = Some(length);
        self
    }

    pub fn with_opclass(mut self, opclass: impl Into<String>) -> Self {
        self.opclass = Some(opclass.into());
        self
    }
}
