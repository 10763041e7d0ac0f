//! Inspection of a MySQL 8 or MariaDB 10.6+ database into the neutral model.
//!
//! One bulk `information_schema` query per object kind, filtered by the
//! database's name ([`queries`]), assembled in memory: inspection costs a
//! dozen round trips whatever the number of tables. `mysqldump` instead asks
//! `SHOW CREATE TABLE` table by table, which is what makes it slow on big
//! schemas.
//!
//! Values are copied as the server spells them (`COLUMN_TYPE`, check
//! clauses, generation expressions), with a few rules where MySQL and
//! MariaDB disagree on the spelling of one meaning (defaults, the current
//! timestamp, view definitions); those live in [`values`], with tests.
//! Only the asked database is read, so Sluice's own `sluice` history
//! database never shows up in a user's catalog.

mod queries;
mod values;

use std::collections::HashMap;

use sluice_schema::{
    Catalog, Check, Column, Dialect, Flavor as ServerFlavor, ForeignKey, Function, Generated,
    GeneratedKind, Index, IndexMethod, IndexPart, MysqlTableOptions, Partition, Partitioning,
    PrimaryKey, RoutineKind, Schema, ServerInfo, SortOrder, Table, TableOptions, Trigger,
    TriggerEvent, TriggerLevel, TriggerTiming, View, Volatility, quote_ident, quote_literal,
};
use sqlx::mysql::{MySqlConnection, MySqlRow};
use sqlx::{Connection, Row};

use super::Mysql;
use crate::{EngineError, ErrorKind};
use values::Flavor;

impl Mysql {
    /// Reads `database` into a normalized [`Catalog`] with one schema named
    /// after the database.
    pub async fn inspect(&self, database: &str) -> Result<Catalog, EngineError> {
        let mut conn = self.connect(Some(database)).await?;
        let result = self.inspect_on(&mut conn, database).await;
        let _ = conn.close().await;
        result
    }

    async fn inspect_on(
        &self,
        conn: &mut MySqlConnection,
        database: &str,
    ) -> Result<Catalog, EngineError> {
        let version: String = sqlx::query_scalar(queries::VERSION)
            .fetch_one(&mut *conn)
            .await
            .map_err(|e| self.error(e))?;
        let flavor = if version.to_ascii_lowercase().contains("mariadb") {
            Flavor::Mariadb
        } else {
            Flavor::Mysql
        };
        let mut catalog = Catalog::new(database, Dialect::Mysql);
        catalog.server = Some(ServerInfo {
            flavor: match flavor {
                Flavor::Mariadb => ServerFlavor::Mariadb,
                Flavor::Mysql => ServerFlavor::Mysql,
            },
            version: version.clone(),
        });

        let schema_row = self.rows(conn, queries::SCHEMA, database, 1).await?;
        let Some(row) = schema_row.first() else {
            return Err(EngineError::new(
                ErrorKind::DatabaseMissing,
                format!("database {database} does not exist"),
            ));
        };
        catalog.charset = opt(row, 0);
        catalog.collation = opt(row, 1);

        let mut b = Builder::new(database, flavor);
        for row in self.rows(conn, queries::TABLES, database, 1).await? {
            b.table(&row);
        }
        for row in self.rows(conn, queries::COLUMNS, database, 1).await? {
            b.column(&row);
        }
        let statistics = match flavor {
            Flavor::Mariadb => queries::STATISTICS_MARIADB,
            Flavor::Mysql => queries::STATISTICS_MYSQL,
        };
        for row in self.rows(conn, statistics, database, 1).await? {
            b.index_part(&row);
        }
        let rules: HashMap<(String, String), (String, String)> = self
            .rows(conn, queries::FOREIGN_KEY_RULES, database, 1)
            .await?
            .iter()
            .map(|r| ((text(r, 0), text(r, 1)), (text(r, 2), text(r, 3))))
            .collect();
        for row in self
            .rows(conn, queries::FOREIGN_KEY_COLUMNS, database, 1)
            .await?
        {
            b.foreign_key(&row, &rules);
        }
        let checks = match flavor {
            Flavor::Mariadb => Some(queries::CHECKS_MARIADB),
            Flavor::Mysql if mysql_has_checks(&version) => Some(queries::CHECKS_MYSQL),
            Flavor::Mysql => None,
        };
        if let Some(checks) = checks {
            for row in self.rows(conn, checks, database, 1).await? {
                b.check(&row);
            }
        }
        for row in self.rows(conn, queries::PARTITIONS, database, 1).await? {
            b.partition(&row);
        }
        for row in self.rows(conn, queries::VIEWS, database, 1).await? {
            b.view(&row);
        }
        let parameters = self.rows(conn, queries::PARAMETERS, database, 1).await?;
        for row in self.rows(conn, queries::ROUTINES, database, 1).await? {
            b.routine(&row, &parameters);
        }
        for row in self.rows(conn, queries::TRIGGERS, database, 2).await? {
            b.trigger(&row);
        }
        catalog.schemas.push(b.finish());
        catalog.normalize();
        Ok(catalog)
    }

    /// Runs one catalog query with the database name bound `binds` times.
    async fn rows(
        &self,
        conn: &mut MySqlConnection,
        sql: &'static str,
        database: &str,
        binds: usize,
    ) -> Result<Vec<MySqlRow>, EngineError> {
        let mut query = sqlx::query(sql);
        for _ in 0..binds {
            query = query.bind(database);
        }
        query.fetch_all(&mut *conn).await.map_err(|e| self.error(e))
    }
}

/// `CHECK_CONSTRAINTS` appeared in MySQL 8.0.16.
fn mysql_has_checks(version: &str) -> bool {
    let mut parts = version
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .map(|p| p.parse::<u32>().unwrap_or(0));
    let v = (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    );
    v >= (8, 0, 16)
}

fn opt(row: &MySqlRow, i: usize) -> Option<String> {
    row.try_get::<Option<String>, _>(i).ok().flatten()
}

fn text(row: &MySqlRow, i: usize) -> String {
    opt(row, i).unwrap_or_default()
}

fn num(row: &MySqlRow, i: usize) -> Option<u64> {
    row.try_get::<Option<u64>, _>(i).ok().flatten()
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

/// Assembles rows of every kind into one schema. Tables are kept in a map
/// by name while rows arrive; views are tables to `TABLES` and `COLUMNS`
/// and are told apart by `TABLE_TYPE`.
struct Builder {
    database: String,
    flavor: Flavor,
    tables: Vec<Table>,
    by_name: HashMap<String, usize>,
    /// Each table's default collation, for telling column collations that
    /// differ from it.
    collations: HashMap<String, String>,
    views: Vec<View>,
    functions: Vec<sluice_schema::Function>,
    triggers: Vec<Trigger>,
}

impl Builder {
    fn new(database: &str, flavor: Flavor) -> Self {
        Builder {
            database: database.to_string(),
            flavor,
            tables: Vec::new(),
            by_name: HashMap::new(),
            collations: HashMap::new(),
            views: Vec::new(),
            functions: Vec::new(),
            triggers: Vec::new(),
        }
    }

    fn table_mut(&mut self, name: &str) -> Option<&mut Table> {
        let at = *self.by_name.get(name)?;
        Some(&mut self.tables[at])
    }

    /// A `TABLES` row. Views get their definition from `VIEWS`; MariaDB
    /// sequences are not read (the model's sequences need one query per
    /// sequence on MariaDB before 11.5).
    fn table(&mut self, row: &MySqlRow) {
        let name = text(row, 0);
        let kind = text(row, 1);
        if kind != "BASE TABLE" && kind != "SYSTEM VERSIONED" {
            return;
        }
        let collation = non_empty(opt(row, 3));
        let options = MysqlTableOptions {
            engine: non_empty(opt(row, 2)),
            charset: collation.as_deref().map(values::charset_of),
            collation: collation.clone(),
            row_format: values::row_format(&text(row, 4)),
            // The next value is recorded only when it was moved past the
            // start, as `SHOW CREATE TABLE` does.
            auto_increment: num(row, 5).filter(|n| *n > 1),
        };
        let mut table = Table::new(&name);
        table.comment = non_empty(opt(row, 6));
        table.options = TableOptions::Mysql(options);
        if let Some(c) = collation {
            self.collations.insert(name.clone(), c);
        }
        self.by_name.insert(name, self.tables.len());
        self.tables.push(table);
    }

    /// A `COLUMNS` row.
    fn column(&mut self, row: &MySqlRow) {
        let table_name = text(row, 0);
        let flavor = self.flavor;
        let table_collation = self.collations.get(&table_name).cloned();
        let Some(table) = self.table_mut(&table_name) else {
            return; // a view's column
        };
        let data_type = text(row, 3);
        let extra = text(row, 7);
        let extra_upper = extra.to_ascii_uppercase();
        let mut column = Column::new(text(row, 1), &data_type);
        column.position = num(row, 2).unwrap_or(0) as u32;
        column.nullable = text(row, 4) == "YES";
        let is_null = num(row, 6) == Some(1);
        column.auto_increment = extra_upper.contains("AUTO_INCREMENT");
        column.on_update = values::on_update(&extra);
        let kind = if extra_upper.contains("VIRTUAL GENERATED") {
            Some(GeneratedKind::Virtual)
        } else if extra_upper.contains("STORED GENERATED")
            || extra_upper.contains("PERSISTENT GENERATED")
        {
            Some(GeneratedKind::Stored)
        } else {
            None
        };
        match kind {
            Some(kind) => {
                column.generated = Some(Generated {
                    expression: text(row, 8),
                    kind,
                })
            }
            None => {
                column.default = values::column_default(
                    flavor,
                    opt(row, 5).as_deref(),
                    is_null,
                    &extra,
                    &data_type,
                )
            }
        }
        let table_charset = table_collation.as_deref().map(values::charset_of);
        let charset = opt(row, 9);
        let collation = opt(row, 10);
        if charset.is_some() && charset != table_charset {
            column.charset = charset;
        }
        if collation.is_some() && collation != table_collation {
            column.collation = collation;
        }
        column.comment = non_empty(opt(row, 11));
        table.columns.push(column);
    }

    /// A `STATISTICS` row: one key part. `PRIMARY` becomes the primary
    /// key; every other index, unique or not, an [`Index`] (MySQL has no
    /// unique constraints apart from unique indexes).
    fn index_part(&mut self, row: &MySqlRow) {
        let index_name = text(row, 1);
        let Some(table) = self.table_mut(&text(row, 0)) else {
            return;
        };
        let column = opt(row, 4);
        if index_name == "PRIMARY" {
            let pk = table
                .primary_key
                .get_or_insert_with(|| PrimaryKey::new(Some("PRIMARY"), Vec::<String>::new()));
            pk.columns.extend(column);
            return;
        }
        let method = IndexMethod::from(text(row, 7));
        let at = match table.indexes.iter().position(|i| i.name == index_name) {
            Some(at) => at,
            None => {
                let mut index = Index::new(&index_name).with_method(method.clone());
                index.unique = num(row, 2) == Some(0);
                index.comment = non_empty(opt(row, 8));
                table.indexes.push(index);
                table.indexes.len() - 1
            }
        };
        let mut part = match (column, non_empty(opt(row, 9))) {
            (Some(c), _) => IndexPart::column(c),
            (None, Some(expr)) => IndexPart::expression(strip_parens(&expr)),
            (None, None) => IndexPart::expression(""),
        };
        if text(row, 5) == "D" {
            part.order = SortOrder::Desc;
        }
        // Spatial indexes report a SUB_PART of 32 on MariaDB that is no
        // prefix anyone declared.
        if method != IndexMethod::Spatial {
            part.prefix_length = num(row, 6).map(|n| n as u32);
        }
        table.indexes[at].parts.push(part);
    }

    /// A foreign-key column pair, with the key's rules from `rules`
    /// (by table and constraint name).
    fn foreign_key(&mut self, row: &MySqlRow, rules: &HashMap<(String, String), (String, String)>) {
        let (table_name, name) = (text(row, 0), text(row, 1));
        let database = self.database.clone();
        let (on_update, on_delete) = rules
            .get(&(table_name.clone(), name.clone()))
            .cloned()
            .unwrap_or_default();
        let Some(table) = self.table_mut(&table_name) else {
            return;
        };
        let at = match table
            .foreign_keys
            .iter()
            .position(|f| f.name.as_deref() == Some(name.as_str()))
        {
            Some(at) => at,
            None => {
                let fk = ForeignKey::new(
                    Some(&name),
                    Vec::<String>::new(),
                    opt(row, 3).unwrap_or(database),
                    text(row, 4),
                    Vec::<String>::new(),
                )
                .on_update(values::referential_action(&on_update))
                .on_delete(values::referential_action(&on_delete));
                table.foreign_keys.push(fk);
                table.foreign_keys.len() - 1
            }
        };
        let fk = &mut table.foreign_keys[at];
        fk.columns.push(text(row, 2));
        fk.referenced_columns.push(text(row, 5));
    }

    fn check(&mut self, row: &MySqlRow) {
        let Some(table) = self.table_mut(&text(row, 0)) else {
            return;
        };
        let mut check = Check::new(Some(&text(row, 1)), text(row, 2));
        check.enforced = text(row, 3) != "NO";
        table.checks.push(check);
    }

    /// A `PARTITIONS` row: a partition, or one sub-partition of it.
    fn partition(&mut self, row: &MySqlRow) {
        let Some(strategy) = values::partition_strategy(&text(row, 3)) else {
            return;
        };
        let Some(table) = self.table_mut(&text(row, 0)) else {
            return;
        };
        let p = table.partitioning.get_or_insert_with(|| Partitioning {
            strategy,
            key: text(row, 5),
            partitions: Vec::new(),
        });
        let name = text(row, 1);
        if p.partitions.last().is_none_or(|last| last.name != name) {
            let mut part = Partition::new(
                &name,
                values::partition_bound(strategy, opt(row, 7).as_deref()).as_deref(),
            );
            part.comment = non_empty(opt(row, 8));
            p.partitions.push(part);
        }
        let (Some(sub), Some(sub_strategy)) = (
            opt(row, 2),
            opt(row, 4).and_then(|m| values::partition_strategy(&m)),
        ) else {
            return;
        };
        let part = p.partitions.last_mut().expect("pushed above");
        let subs = part.partitioning.get_or_insert_with(|| {
            Box::new(Partitioning {
                strategy: sub_strategy,
                key: text(row, 6),
                partitions: Vec::new(),
            })
        });
        subs.partitions.push(Partition::new(sub, None));
    }

    fn view(&mut self, row: &MySqlRow) {
        let mut view = View::new(
            text(row, 0),
            values::strip_schema(&text(row, 1), &self.database),
        );
        view.check_option = values::check_option(&text(row, 2));
        view.security = values::view_security(&text(row, 3));
        self.views.push(view);
    }

    /// A `ROUTINES` row with its `PARAMETERS`. The definition is built in
    /// `SHOW CREATE FUNCTION`'s shape, without the `DEFINER` (which names an
    /// account of this server), so that characteristics the model has no
    /// field for (SQL data access, a procedure's DETERMINISTIC) survive
    /// rendering.
    fn routine(&mut self, row: &MySqlRow, parameters: &[MySqlRow]) {
        let name = text(row, 0);
        let kind_text = text(row, 1);
        let kind = if kind_text == "PROCEDURE" {
            RoutineKind::Procedure
        } else {
            RoutineKind::Function
        };
        let params: Vec<&MySqlRow> = parameters
            .iter()
            .filter(|p| text(p, 0) == name && text(p, 1) == kind_text)
            .collect();
        let arguments: Vec<String> = params
            .iter()
            .map(|p| {
                let mode = match (kind, opt(p, 2)) {
                    (RoutineKind::Procedure, Some(m)) => format!("{m} "),
                    _ => String::new(),
                };
                format!(
                    "{mode}{} {}",
                    quote_ident(Dialect::Mysql, &text(p, 3)),
                    text(p, 4)
                )
            })
            .collect();
        let signature: Vec<String> = params.iter().map(|p| text(p, 4)).collect();
        let deterministic = text(row, 4) == "YES";
        let data_access = text(row, 5);
        let security_definer = text(row, 6) != "INVOKER";
        let mut f = Function::new(kind, &name);
        f.signature = signature.join(", ");
        f.arguments = arguments.join(", ");
        f.returns = match kind {
            RoutineKind::Function => non_empty(opt(row, 2)),
            RoutineKind::Procedure => None,
        };
        f.language = "SQL".into();
        f.body = text(row, 3);
        f.volatility = Some(if deterministic {
            Volatility::Immutable
        } else {
            Volatility::Volatile
        });
        f.security_definer = security_definer;
        f.comment = non_empty(opt(row, 7));

        let mut def = format!(
            "CREATE {kind_text} {}({})",
            quote_ident(Dialect::Mysql, &name),
            f.arguments
        );
        if let Some(r) = &f.returns {
            def.push_str(&format!(" RETURNS {r}"));
        }
        if !data_access.is_empty() && data_access != "CONTAINS SQL" {
            def.push_str(&format!("\n    {data_access}"));
        }
        if deterministic {
            def.push_str("\n    DETERMINISTIC");
        }
        if !security_definer {
            def.push_str("\n    SQL SECURITY INVOKER");
        }
        if let Some(c) = &f.comment {
            def.push_str(&format!(
                "\n    COMMENT {}",
                quote_literal(Dialect::Mysql, c)
            ));
        }
        def.push('\n');
        def.push_str(&f.body);
        f.definition = Some(def);
        self.functions.push(f);
    }

    fn trigger(&mut self, row: &MySqlRow) {
        let mut t = Trigger::new(text(row, 0), text(row, 1));
        t.timing = match text(row, 2).as_str() {
            "AFTER" => TriggerTiming::After,
            _ => TriggerTiming::Before,
        };
        t.events = text(row, 3)
            .split([',', ' '])
            .filter_map(|e| match e.trim() {
                "INSERT" => Some(TriggerEvent::Insert),
                "UPDATE" => Some(TriggerEvent::Update),
                "DELETE" => Some(TriggerEvent::Delete),
                _ => None,
            })
            .collect();
        t.level = TriggerLevel::Row;
        t.body = Some(text(row, 4));
        self.triggers.push(t);
    }

    fn finish(self) -> Schema {
        let mut schema = Schema::new(&self.database);
        schema.tables = self.tables;
        schema.views = self.views;
        schema.functions = self.functions;
        schema.triggers = self.triggers;
        schema
    }
}

/// MySQL prints a functional key part's expression in parentheses; the
/// model keeps it without.
fn strip_parens(expr: &str) -> String {
    let t = expr.trim();
    if t.starts_with('(') && t.ends_with(')') {
        let inner = &t[1..t.len() - 1];
        let mut depth = 0i32;
        let balanced = inner.chars().all(|c| {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            depth >= 0
        });
        if balanced && depth == 0 {
            return inner.trim().to_string();
        }
    }
    t.to_string()
}
