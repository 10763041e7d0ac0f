//! The top of the model: a catalog (one database) and its schemas.

use serde::{Deserialize, Serialize};

use super::objects::{EnumType, Extension, Function, MaterializedView, Sequence, Trigger, View};
use super::table::Table;
use crate::dialect::{Dialect, ServerInfo};

/// One database as Sluice sees it.
///
/// MySQL and SQLite have one namespace per database: their catalogs hold
/// exactly one schema (named after the database in MySQL, `main` in
/// SQLite), and rendering leaves names unqualified so the DDL can be applied
/// to a database of any name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    pub name: String,
    pub dialect: Dialect,
    /// The server the catalog was read from, if it was read from one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<ServerInfo>,
    /// Default character set (MySQL) or encoding (PostgreSQL `UTF8`,
    /// SQLite `UTF-8`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charset: Option<String>,
    /// Default collation (MySQL), `datcollate` (PostgreSQL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<Extension>,
    #[serde(default)]
    pub schemas: Vec<Schema>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Catalog {
    pub fn new(name: impl Into<String>, dialect: Dialect) -> Self {
        Catalog {
            name: name.into(),
            dialect,
            server: None,
            charset: None,
            collation: None,
            extensions: Vec::new(),
            schemas: Vec::new(),
            comment: None,
        }
    }

    pub fn with_schema(mut self, schema: Schema) -> Self {
        self.schemas.push(schema);
        self
    }

    pub fn with_extension(mut self, extension: Extension) -> Self {
        self.extensions.push(extension);
        self
    }

    pub fn schema(&self, name: &str) -> Option<&Schema> {
        self.schemas.iter().find(|s| s.name == name)
    }

    pub fn schema_mut(&mut self, name: &str) -> Option<&mut Schema> {
        self.schemas.iter_mut().find(|s| s.name == name)
    }

    /// The schema named `name`, created empty if missing; for inspectors
    /// that meet objects schema by schema.
    pub fn schema_entry(&mut self, name: &str) -> &mut Schema {
        let at = match self.schemas.iter().position(|s| s.name == name) {
            Some(i) => i,
            None => {
                self.schemas.push(Schema::new(name));
                self.schemas.len() - 1
            }
        };
        &mut self.schemas[at]
    }

    /// A normalized copy; see [`Catalog::normalize`].
    pub fn normalized(mut self) -> Self {
        self.normalize();
        self
    }

    /// Stable, pretty JSON of the normalized catalog.
    pub fn to_json_pretty(&self) -> String {
        let mut copy = self.clone();
        copy.normalize();
        serde_json::to_string_pretty(&copy).expect("the model always serializes")
    }
}

/// A namespace inside a catalog.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Schema {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub enums: Vec<EnumType>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sequences: Vec<Sequence>,
    pub tables: Vec<Table>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub views: Vec<View>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub materialized_views: Vec<MaterializedView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<Function>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<Trigger>,
}

impl Schema {
    pub fn new(name: impl Into<String>) -> Self {
        Schema {
            name: name.into(),
            ..Default::default()
        }
    }

    pub fn with_comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }

    pub fn with_table(mut self, table: Table) -> Self {
        self.tables.push(table);
        self
    }

    pub fn with_view(mut self, view: View) -> Self {
        self.views.push(view);
        self
    }

    pub fn with_materialized_view(mut self, view: MaterializedView) -> Self {
        self.materialized_views.push(view);
        self
    }

    pub fn with_sequence(mut self, sequence: Sequence) -> Self {
        self.sequences.push(sequence);
        self
    }

    pub fn with_enum(mut self, enum_type: EnumType) -> Self {
        self.enums.push(enum_type);
        self
    }

    pub fn with_function(mut self, function: Function) -> Self {
        self.functions.push(function);
        self
    }

    pub fn with_trigger(mut self, trigger: Trigger) -> Self {
        self.triggers.push(trigger);
        self
    }

    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }

    pub fn table_mut(&mut self, name: &str) -> Option<&mut Table> {
        self.tables.iter_mut().find(|t| t.name == name)
    }

    pub fn view(&self, name: &str) -> Option<&View> {
        self.views.iter().find(|v| v.name == name)
    }

    /// Triggers defined on `table` (a table or a view).
    pub fn triggers_on<'a>(&'a self, table: &'a str) -> impl Iterator<Item = &'a Trigger> + 'a {
        self.triggers.iter().filter(move |t| t.table == table)
    }

    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
            && self.views.is_empty()
            && self.materialized_views.is_empty()
            && self.sequences.is_empty()
            && self.enums.is_empty()
            && self.functions.is_empty()
            && self.triggers.is_empty()
    }
}
