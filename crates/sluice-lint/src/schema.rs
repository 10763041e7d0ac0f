//! The schema a script sees, statement by statement.
//!
//! Rules that reason about what exists (a column being dropped, an index
//! created on a table that already holds rows) need the schema as it is at
//! their statement, not as it was before the script. The [`Workspace`]
//! starts from the database's synced [`Catalog`] (or from nothing) and
//! replays the effect of each statement on a working copy: tables created,
//! dropped and renamed, columns added, dropped, renamed and retyped,
//! constraints and indexes added and dropped. Only what rules ask about is
//! replayed; anything else leaves the copy as it is, which errs on the side
//! of "unknown" rather than inventing objects.
//!
//! Every lookup goes through hash indexes ((schema, table) → position,
//! index name → tables) that create, drop and rename keep in step, so a
//! statement costs the same whether the script created ten tables before
//! it or a hundred thousand: checking is linear in the statements. Tables
//! are dropped by swapping the last one into their slot, which keeps the
//! drop constant-time as well.

use std::collections::{HashMap, HashSet};

use sluice_schema::{
    Catalog, Check, Column, Dialect, ForeignKey, Index, IndexPart, PrimaryKey, Table,
    UniqueConstraint,
};
use sqlparser::ast::{
    AlterColumnOperation, AlterTableOperation, ColumnDef, ColumnOption, CreateIndex, CreateTable,
    Expr, Ident, IndexColumn, ObjectName, ObjectType, RenameTableNameKind, Statement,
    TableConstraint,
};

/// Where a table named in a statement comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableState {
    /// Created earlier in the same script: it is empty, so locks and
    /// rewrites on it cost nothing.
    New,
    /// In the schema the script starts from.
    Existing,
    /// A schema was given and the table is not in it.
    Missing,
    /// No schema was given and the script did not create it: it may exist.
    Unknown,
}

impl TableState {
    /// Whether the table may hold rows that running code depends on.
    pub fn may_have_rows(self) -> bool {
        matches!(self, TableState::Existing | TableState::Unknown)
    }
}

/// A CHECK constraint the script added: (name key, expression, validated).
type ScriptCheck = (Option<String>, String, bool);

/// The working copy of the schema while a script is checked.
#[derive(Debug, Clone)]
pub struct Workspace {
    dialect: Dialect,
    catalog: Catalog,
    /// Whether the catalog came from a real database (or model file), so
    /// that a missing table means "does not exist" rather than "unknown".
    known: bool,
    /// (schema, table) created by the script so far, as [`Workspace::key`]s.
    created: HashSet<(String, String)>,
    /// (schema, table) as [`Workspace::key`]s → where the table is in
    /// `catalog`. Kept in step with every create, drop and rename, so that
    /// looking a table up is a hash probe: a scan made a script creating
    /// thousands of tables quadratic.
    tables: HashMap<(String, String), (usize, usize)>,
    /// Index name key → the tables that have (or had) an index of that
    /// name, for `DROP INDEX name` without a table (PostgreSQL, SQLite).
    /// Entries may be stale; a lookup checks the table still has it.
    index_owners: HashMap<String, Vec<(String, String)>>,
    /// How many ALTER TABLE statements the script has run on each table
    /// so far, by [`Workspace::key`]s.
    altered: HashMap<(String, String), usize>,
    /// CHECK constraints the script added, by table key, whether the table
    /// is known or not: (name key, expression, validated). A NOT VALID one
    /// becomes validated by `VALIDATE CONSTRAINT`.
    script_checks: HashMap<(String, String), Vec<ScriptCheck>>,
    /// Whether an explicit `BEGIN` / `START TRANSACTION` is open.
    in_transaction_block: bool,
    /// Whether the script has set a (non-zero) `lock_timeout` so far.
    lock_timeout: bool,
}

impl Workspace {
    /// A workspace starting from `catalog`, or from an unknown schema.
    pub fn new(dialect: Dialect, catalog: Option<&Catalog>) -> Self {
        let known = catalog.is_some();
        let catalog = catalog
            .cloned()
            .unwrap_or_else(|| Catalog::new("main", dialect));
        let mut workspace = Workspace {
            dialect,
            catalog,
            known,
            created: HashSet::new(),
            tables: HashMap::new(),
            index_owners: HashMap::new(),
            altered: HashMap::new(),
            script_checks: HashMap::new(),
            in_transaction_block: false,
            lock_timeout: false,
        };
        for s in 0..workspace.catalog.schemas.len() {
            for t in 0..workspace.catalog.schemas[s].tables.len() {
                let key = workspace.table_key(s, t);
                workspace.tables.insert(key.clone(), (s, t));
                workspace.register_indexes(s, t, &key);
            }
        }
        workspace
    }

    /// A name as a hash key: compared the way [`Workspace::same`] compares.
    fn key(&self, name: &str) -> String {
        match self.dialect {
            Dialect::Postgres => name.to_string(),
            Dialect::Mysql | Dialect::Sqlite => name.to_ascii_lowercase(),
        }
    }

    fn table_key(&self, s: usize, t: usize) -> (String, String) {
        let schema = &self.catalog.schemas[s];
        (self.key(&schema.name), self.key(&schema.tables[t].name))
    }

    fn register_indexes(&mut self, s: usize, t: usize, key: &(String, String)) {
        let names: Vec<String> = self.catalog.schemas[s].tables[t]
            .indexes
            .iter()
            .filter(|i| !i.name.is_empty())
            .map(|i| self.key(&i.name))
            .collect();
        for name in names {
            let owners = self.index_owners.entry(name).or_default();
            if !owners.contains(key) {
                owners.push(key.clone());
            }
        }
    }

    /// Adds `table` to `schema` (creating the schema entry if needed).
    fn insert_table(&mut self, schema: &str, table: Table) -> (usize, usize) {
        let s = match self
            .catalog
            .schemas
            .iter()
            .position(|x| self.same(&x.name, schema))
        {
            Some(s) => s,
            None => {
                self.catalog
                    .schemas
                    .push(sluice_schema::Schema::new(schema));
                self.catalog.schemas.len() - 1
            }
        };
        self.catalog.schemas[s].tables.push(table);
        let t = self.catalog.schemas[s].tables.len() - 1;
        let key = self.table_key(s, t);
        self.tables.insert(key.clone(), (s, t));
        self.register_indexes(s, t, &key);
        (s, t)
    }

    /// Removes the table at (s, t) in constant time: the schema's last
    /// table takes its place and its index entry is moved.
    fn remove_table(&mut self, s: usize, t: usize) {
        let key = self.table_key(s, t);
        self.tables.remove(&key);
        self.catalog.schemas[s].tables.swap_remove(t);
        if t < self.catalog.schemas[s].tables.len() {
            let moved = self.table_key(s, t);
            self.tables.insert(moved, (s, t));
        }
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Whether a starting schema was given.
    pub fn is_known(&self) -> bool {
        self.known
    }

    /// An identifier as the server stores it: PostgreSQL folds unquoted
    /// names to lower case; MySQL and SQLite keep them and compare table
    /// and column names case-insensitively (see [`Workspace::same`]).
    pub fn ident(&self, ident: &Ident) -> String {
        if self.dialect == Dialect::Postgres && ident.quote_style.is_none() {
            ident.value.to_lowercase()
        } else {
            ident.value.clone()
        }
    }

    fn same(&self, a: &str, b: &str) -> bool {
        match self.dialect {
            Dialect::Postgres => a == b,
            Dialect::Mysql | Dialect::Sqlite => a.eq_ignore_ascii_case(b),
        }
    }

    fn default_schema(&self) -> String {
        match self.dialect {
            Dialect::Postgres => "public".to_string(),
            Dialect::Sqlite => "main".to_string(),
            Dialect::Mysql => self
                .catalog
                .schemas
                .first()
                .map(|s| s.name.clone())
                .unwrap_or_else(|| self.catalog.name.clone()),
        }
    }

    /// (schema, table) for a possibly qualified name.
    pub fn resolve(&self, name: &ObjectName) -> (String, String) {
        let parts: Vec<String> = name
            .0
            .iter()
            .filter_map(|p| p.as_ident())
            .map(|i| self.ident(i))
            .collect();
        match parts.as_slice() {
            [.., schema, table]
                if self.dialect != Dialect::Mysql || self.catalog.schemas.len() > 1 =>
            {
                (schema.clone(), table.clone())
            }
            [.., table] => (self.default_schema(), table.clone()),
            [] => (self.default_schema(), String::new()),
        }
    }

    fn find(&self, schema: &str, table: &str) -> Option<(usize, usize)> {
        self.tables
            .get(&(self.key(schema), self.key(table)))
            .copied()
    }

    pub fn table(&self, name: &ObjectName) -> Option<&Table> {
        let (schema, table) = self.resolve(name);
        self.find(&schema, &table)
            .map(|(s, t)| &self.catalog.schemas[s].tables[t])
    }

    fn table_mut(&mut self, name: &ObjectName) -> Option<&mut Table> {
        let (schema, table) = self.resolve(name);
        let (s, t) = self.find(&schema, &table)?;
        Some(&mut self.catalog.schemas[s].tables[t])
    }

    /// The key of `created` and `tables`.
    fn created_key(&self, (schema, table): (String, String)) -> (String, String) {
        (self.key(&schema), self.key(&table))
    }

    pub fn table_state(&self, name: &ObjectName) -> TableState {
        let key = self.resolve(name);
        if self.created.contains(&self.created_key(key.clone())) {
            TableState::New
        } else if self.find(&key.0, &key.1).is_some() {
            TableState::Existing
        } else if self.known {
            TableState::Missing
        } else {
            TableState::Unknown
        }
    }

    /// How many ALTER TABLE statements earlier in the script changed the
    /// table `name`.
    pub fn times_altered(&self, name: &ObjectName) -> usize {
        let key = self.created_key(self.resolve(name));
        self.altered.get(&key).copied().unwrap_or(0)
    }

    /// Whether an explicit transaction block (`BEGIN`, `START
    /// TRANSACTION`) is open at this statement.
    pub fn in_transaction_block(&self) -> bool {
        self.in_transaction_block
    }

    /// Whether an earlier statement of the script set `lock_timeout` to
    /// something other than 0.
    pub fn lock_timeout_set(&self) -> bool {
        self.lock_timeout
    }

    /// Where the table of index `index` comes from: the table named (MySQL
    /// `DROP INDEX i ON t`), else the tables known to have an index of that
    /// name. `Unknown` or `Missing` when no table is known to have it.
    pub fn index_table_state(&self, index: &ObjectName, table: Option<&ObjectName>) -> TableState {
        if let Some(table) = table {
            return self.table_state(table);
        }
        let name = index
            .0
            .last()
            .and_then(|p| p.as_ident())
            .map(|i| self.key(&self.ident(i)))
            .unwrap_or_default();
        let owners: Vec<&(String, String)> = self
            .index_owners
            .get(&name)
            .map(|keys| {
                keys.iter()
                    .filter(|k| {
                        self.tables.get(*k).is_some_and(|&(s, t)| {
                            self.catalog.schemas[s].tables[t]
                                .indexes
                                .iter()
                                .any(|i| self.key(&i.name) == name)
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        if owners.iter().any(|k| !self.created.contains(*k)) {
            TableState::Existing
        } else if !owners.is_empty() {
            TableState::New
        } else if self.known {
            TableState::Missing
        } else {
            TableState::Unknown
        }
    }

    /// Whether `table` has a validated `CHECK (column IS NOT NULL)`: in the
    /// starting schema (taken as validated), or added by the script and
    /// either added valid or validated since.
    pub fn has_validated_not_null_check(&self, table: &ObjectName, column: &Ident) -> bool {
        let wanted = format!("{} is not null", self.ident(column).to_lowercase());
        let from_schema = self.table(table).is_some_and(|t| {
            t.checks
                .iter()
                .any(|c| normalize_check(&c.expression) == wanted)
        });
        let key = self.created_key(self.resolve(table));
        from_schema
            || self.script_checks.get(&key).is_some_and(|checks| {
                checks
                    .iter()
                    .any(|(_, expr, valid)| *valid && normalize_check(expr) == wanted)
            })
    }

    fn record_check(&mut self, table: &ObjectName, op: &AlterTableOperation) {
        let key = self.created_key(self.resolve(table));
        match op {
            AlterTableOperation::AddConstraint {
                constraint: TableConstraint::Check(check),
                not_valid,
            } => {
                let name = check.name.as_ref().map(|n| self.key(&self.ident(n)));
                self.script_checks.entry(key).or_default().push((
                    name,
                    check.expr.to_string(),
                    !*not_valid,
                ));
            }
            AlterTableOperation::ValidateConstraint { name } => {
                let name = self.key(&self.ident(name));
                if let Some(checks) = self.script_checks.get_mut(&key) {
                    for c in checks.iter_mut() {
                        if c.0.as_deref() == Some(name.as_str()) {
                            c.2 = true;
                        }
                    }
                }
            }
            AlterTableOperation::DropConstraint { name, .. } => {
                let name = self.key(&self.ident(name));
                if let Some(checks) = self.script_checks.get_mut(&key) {
                    checks.retain(|c| c.0.as_deref() != Some(name.as_str()));
                }
            }
            _ => {}
        }
    }

    /// Whether `column` of `table` is a column of the table, as far as the
    /// workspace knows.
    pub fn column<'a>(&'a self, table: &'a Table, column: &Ident) -> Option<&'a Column> {
        let name = self.ident(column);
        table.columns.iter().find(|c| self.same(&c.name, &name))
    }

    /// Applies the effect of `statement` to the working copy.
    pub fn apply(&mut self, statement: &Statement) {
        match statement {
            Statement::StartTransaction { .. } => self.in_transaction_block = true,
            Statement::Commit { .. }
            | Statement::Rollback {
                savepoint: None, ..
            } => self.in_transaction_block = false,
            Statement::Set(sqlparser::ast::Set::SingleAssignment {
                variable, values, ..
            }) if variable.to_string().eq_ignore_ascii_case("lock_timeout") => {
                self.lock_timeout = !values.iter().all(|v| {
                    let v = v.to_string();
                    let v = v.trim_matches('\'');
                    v == "0" || v.eq_ignore_ascii_case("default")
                });
            }
            Statement::CreateTable(create) => self.create_table(create),
            Statement::Drop {
                object_type: ObjectType::Table,
                names,
                ..
            } => {
                for name in names {
                    let (schema, table) = self.resolve(name);
                    if let Some((s, t)) = self.find(&schema, &table) {
                        self.remove_table(s, t);
                    }
                    let key = self.created_key((schema, table));
                    self.created.remove(&key);
                }
            }
            Statement::Drop {
                object_type: ObjectType::Index,
                names,
                table,
                ..
            } => {
                for name in names {
                    let index = name
                        .0
                        .last()
                        .and_then(|p| p.as_ident())
                        .map(|i| self.ident(i))
                        .unwrap_or_default();
                    self.drop_index(table.as_ref(), &index);
                }
            }
            Statement::CreateIndex(create) => self.create_index(create),
            Statement::AlterTable(alter) => {
                let key = self.created_key(self.resolve(&alter.name));
                *self.altered.entry(key).or_default() += 1;
                for op in &alter.operations {
                    self.record_check(&alter.name, op);
                    self.alter(&alter.name, op);
                }
            }
            Statement::RenameTable(renames) => {
                for r in renames {
                    self.rename_table(&r.old_name, &r.new_name);
                }
            }
            _ => {}
        }
    }

    fn create_table(&mut self, create: &CreateTable) {
        let (schema, name) = self.resolve(&create.name);
        if self.find(&schema, &name).is_some() {
            if create.if_not_exists {
                return;
            }
            let (s, t) = self.find(&schema, &name).expect("found above");
            self.remove_table(s, t);
        }
        let mut table = Table::new(name.clone());
        for def in &create.columns {
            let column = self.column_def(def);
            table = table.with_column(column);
            for option in &def.options {
                let single = [def.name.clone()];
                match &option.option {
                    ColumnOption::PrimaryKey(_) => {
                        table.primary_key = Some(PrimaryKey::new(None, self.names(&single)));
                        self.set_not_null(&mut table, &single);
                    }
                    ColumnOption::Unique(_) => table
                        .uniques
                        .push(UniqueConstraint::new(None, self.names(&single))),
                    ColumnOption::ForeignKey(fk) => table.foreign_keys.push(self.foreign_key(
                        None,
                        &single,
                        &fk.foreign_table,
                        &fk.referred_columns,
                    )),
                    _ => {}
                }
            }
        }
        for constraint in &create.constraints {
            self.add_constraint(&mut table, constraint);
        }
        self.insert_table(&schema, table);
        let key = self.created_key((schema, name));
        self.created.insert(key);
    }

    fn column_def(&self, def: &ColumnDef) -> Column {
        let mut column = Column::new(self.ident(&def.name), def.data_type.to_string());
        for option in &def.options {
            match &option.option {
                ColumnOption::NotNull | ColumnOption::PrimaryKey(_) => column.nullable = false,
                ColumnOption::Null => column.nullable = true,
                ColumnOption::Default(expr) => column.default = Some(expr.to_string()),
                _ => {}
            }
        }
        column
    }

    fn names(&self, idents: &[Ident]) -> Vec<String> {
        idents.iter().map(|i| self.ident(i)).collect()
    }

    fn index_columns(&self, columns: &[IndexColumn]) -> Vec<IndexPart> {
        columns
            .iter()
            .map(|c| match &c.column.expr {
                Expr::Identifier(ident) => IndexPart::column(self.ident(ident)),
                other => IndexPart::expression(other.to_string()),
            })
            .collect()
    }

    fn part_names(&self, columns: &[IndexColumn]) -> Vec<String> {
        self.index_columns(columns)
            .into_iter()
            .map(|p| match p.key {
                sluice_schema::IndexKey::Column(c) | sluice_schema::IndexKey::Expression(c) => c,
            })
            .collect()
    }

    fn foreign_key(
        &self,
        name: Option<&Ident>,
        columns: &[Ident],
        table: &ObjectName,
        referred: &[Ident],
    ) -> ForeignKey {
        let (schema, table) = self.resolve(table);
        ForeignKey::new(
            name.map(|n| self.ident(n)).as_deref(),
            self.names(columns),
            schema,
            table,
            self.names(referred),
        )
    }

    fn set_not_null(&self, table: &mut Table, columns: &[Ident]) {
        for c in columns {
            let name = self.ident(c);
            if let Some(col) = table
                .columns
                .iter_mut()
                .find(|col| self.same(&col.name, &name))
            {
                col.nullable = false;
            }
        }
    }

    fn add_constraint(&self, table: &mut Table, constraint: &TableConstraint) {
        match constraint {
            TableConstraint::PrimaryKey(pk) => {
                let columns = self.part_names(&pk.columns);
                for c in &columns {
                    if let Some(col) = table.columns.iter_mut().find(|col| self.same(&col.name, c))
                    {
                        col.nullable = false;
                    }
                }
                let name = pk.name.as_ref().map(|n| self.ident(n));
                table.primary_key = Some(PrimaryKey::new(name.as_deref(), columns));
            }
            TableConstraint::Unique(u) => {
                let name = u
                    .name
                    .as_ref()
                    .or(u.index_name.as_ref())
                    .map(|n| self.ident(n));
                let columns = self.part_names(&u.columns);
                if self.dialect == Dialect::Mysql {
                    let mut index = Index::new(name.unwrap_or_default()).unique();
                    index.parts = self.index_columns(&u.columns);
                    table.indexes.push(index);
                } else {
                    table
                        .uniques
                        .push(UniqueConstraint::new(name.as_deref(), columns));
                }
            }
            TableConstraint::ForeignKey(fk) => table.foreign_keys.push(self.foreign_key(
                fk.name.as_ref(),
                &fk.columns,
                &fk.foreign_table,
                &fk.referred_columns,
            )),
            TableConstraint::Check(check) => table.checks.push(Check::new(
                check.name.as_ref().map(|n| self.ident(n)).as_deref(),
                check.expr.to_string(),
            )),
            TableConstraint::Index(ix) => {
                let mut index =
                    Index::new(ix.name.as_ref().map(|n| self.ident(n)).unwrap_or_default());
                index.parts = self.index_columns(&ix.columns);
                table.indexes.push(index);
            }
            _ => {}
        }
    }

    fn create_index(&mut self, create: &CreateIndex) {
        let name = create
            .name
            .as_ref()
            .and_then(|n| n.0.last())
            .and_then(|p| p.as_ident())
            .map(|i| self.ident(i))
            .unwrap_or_default();
        let mut index = Index::new(name);
        index.unique = create.unique;
        index.parts = self.index_columns(&create.columns);
        let (schema, table) = self.resolve(&create.table_name);
        let Some((s, t)) = self.find(&schema, &table) else {
            return;
        };
        let table = &mut self.catalog.schemas[s].tables[t];
        if !table
            .indexes
            .iter()
            .any(|i| !i.name.is_empty() && i.name == index.name)
        {
            table.indexes.push(index);
            let key = self.table_key(s, t);
            self.register_indexes(s, t, &key);
        }
    }

    fn drop_index(&mut self, table: Option<&ObjectName>, index: &str) {
        let dialect = self.dialect;
        let same = |a: &str, b: &str| match dialect {
            Dialect::Postgres => a == b,
            _ => a.eq_ignore_ascii_case(b),
        };
        // With a table (MySQL's `DROP INDEX i ON t`) only that table is
        // touched; without one, only the tables known to have had an index
        // of that name: never a scan of the schema.
        let owners: Vec<(usize, usize)> = match table {
            Some(t) => {
                let (_, tn) = self.resolve(t);
                let tn = self.key(&tn);
                (0..self.catalog.schemas.len())
                    .filter_map(|s| {
                        let sk = self.key(&self.catalog.schemas[s].name);
                        self.tables.get(&(sk, tn.clone())).copied()
                    })
                    .collect()
            }
            None => self
                .index_owners
                .get(&self.key(index))
                .map(|keys| {
                    keys.iter()
                        .filter_map(|k| self.tables.get(k).copied())
                        .collect()
                })
                .unwrap_or_default(),
        };
        for (s, t) in owners {
            self.catalog.schemas[s].tables[t]
                .indexes
                .retain(|i| !same(&i.name, index));
        }
    }

    fn rename_table(&mut self, old: &ObjectName, new: &ObjectName) {
        let (_, new_name) = self.resolve(new);
        let key = self.resolve(old);
        if let Some((s, t)) = self.find(&key.0, &key.1) {
            let old_key = self.table_key(s, t);
            let new_key = (old_key.0.clone(), self.key(&new_name));
            // Renaming onto a taken name: the server refuses it; keep the
            // workspace consistent by dropping the other.
            if new_key != old_key
                && let Some((ms, mt)) = self.tables.get(&new_key).copied()
            {
                self.remove_table(ms, mt);
            }
            // Re-read: removing the other table may have moved this one.
            let (s, t) = self.tables.remove(&old_key).expect("found above");
            self.catalog.schemas[s].tables[t].name = new_name.clone();
            self.tables.insert(new_key.clone(), (s, t));
            self.register_indexes(s, t, &new_key);
        }
        if self.created.remove(&self.created_key(key.clone())) {
            let renamed = self.created_key((key.0, new_name));
            self.created.insert(renamed);
        }
    }

    fn alter(&mut self, name: &ObjectName, op: &AlterTableOperation) {
        if let AlterTableOperation::RenameTable { table_name } = op {
            let new = match table_name {
                RenameTableNameKind::As(n) | RenameTableNameKind::To(n) => n,
            };
            self.rename_table(name, new);
            return;
        }
        if let AlterTableOperation::AddConstraint { constraint, .. } = op {
            let Some(mut table) = self.table(name).cloned() else {
                return;
            };
            self.add_constraint(&mut table, constraint);
            let (schema, table_name) = self.resolve(name);
            let (s, t) = self.find(&schema, &table_name).expect("found above");
            self.catalog.schemas[s].tables[t] = table;
            let key = self.table_key(s, t);
            self.register_indexes(s, t, &key);
            return;
        }
        let dialect = self.dialect;
        let fold = |i: &Ident| {
            if dialect == Dialect::Postgres && i.quote_style.is_none() {
                i.value.to_lowercase()
            } else {
                i.value.clone()
            }
        };
        let same = |a: &str, b: &str| match dialect {
            Dialect::Postgres => a == b,
            _ => a.eq_ignore_ascii_case(b),
        };
        let new_column = match op {
            AlterTableOperation::AddColumn { column_def, .. } => Some(self.column_def(column_def)),
            AlterTableOperation::ChangeColumn {
                new_name,
                data_type,
                options,
                ..
            } => Some(
                self.column_def(&ColumnDef {
                    name: new_name.clone(),
                    data_type: data_type.clone(),
                    options: options
                        .iter()
                        .map(|o| sqlparser::ast::ColumnOptionDef {
                            name: None,
                            option: o.clone(),
                        })
                        .collect(),
                }),
            ),
            AlterTableOperation::ModifyColumn {
                col_name,
                data_type,
                options,
                ..
            } => Some(
                self.column_def(&ColumnDef {
                    name: col_name.clone(),
                    data_type: data_type.clone(),
                    options: options
                        .iter()
                        .map(|o| sqlparser::ast::ColumnOptionDef {
                            name: None,
                            option: o.clone(),
                        })
                        .collect(),
                }),
            ),
            _ => None,
        };
        let Some(table) = self.table_mut(name) else {
            return;
        };
        let position =
            |table: &Table, column: &str| table.columns.iter().position(|c| same(&c.name, column));
        match op {
            AlterTableOperation::AddColumn { .. } => {
                if let Some(mut column) = new_column
                    && position(table, &column.name).is_none()
                {
                    column.position = table.columns.len() as u32 + 1;
                    table.columns.push(column);
                }
            }
            AlterTableOperation::DropColumn { column_names, .. } => {
                for c in column_names {
                    let c = fold(c);
                    table.columns.retain(|col| !same(&col.name, &c));
                }
            }
            AlterTableOperation::RenameColumn {
                old_column_name,
                new_column_name,
            } => {
                if let Some(i) = position(table, &fold(old_column_name)) {
                    table.columns[i].name = fold(new_column_name);
                }
            }
            AlterTableOperation::ChangeColumn { old_name, .. } => {
                if let (Some(i), Some(column)) = (position(table, &fold(old_name)), new_column) {
                    let pos = table.columns[i].position;
                    table.columns[i] = Column {
                        position: pos,
                        ..column
                    };
                }
            }
            AlterTableOperation::ModifyColumn { col_name, .. } => {
                if let (Some(i), Some(column)) = (position(table, &fold(col_name)), new_column) {
                    let pos = table.columns[i].position;
                    table.columns[i] = Column {
                        position: pos,
                        ..column
                    };
                }
            }
            AlterTableOperation::AlterColumn { column_name, op } => {
                let Some(i) = position(table, &fold(column_name)) else {
                    return;
                };
                let column = &mut table.columns[i];
                match op {
                    AlterColumnOperation::SetNotNull => column.nullable = false,
                    AlterColumnOperation::DropNotNull => column.nullable = true,
                    AlterColumnOperation::SetDefault { value } => {
                        column.default = Some(value.to_string())
                    }
                    AlterColumnOperation::DropDefault => column.default = None,
                    AlterColumnOperation::SetDataType { data_type, .. } => {
                        column.data_type = data_type.to_string()
                    }
                    _ => {}
                }
            }
            AlterTableOperation::DropConstraint { name: c, .. } => {
                let c = fold(c);
                let hit = |n: &Option<String>| n.as_deref().is_some_and(|n| same(n, &c));
                table.uniques.retain(|u| !hit(&u.name));
                table.foreign_keys.retain(|f| !hit(&f.name));
                table.checks.retain(|k| !hit(&k.name));
                if table.primary_key.as_ref().is_some_and(|p| hit(&p.name)) {
                    table.primary_key = None;
                }
            }
            AlterTableOperation::DropPrimaryKey { .. } => table.primary_key = None,
            AlterTableOperation::DropForeignKey { name: c, .. } => {
                let c = fold(c);
                table
                    .foreign_keys
                    .retain(|f| !f.name.as_deref().is_some_and(|n| same(n, &c)));
            }
            AlterTableOperation::DropIndex { name: c } => {
                let c = fold(c);
                table.indexes.retain(|i| !same(&i.name, &c));
            }
            _ => {}
        }
    }
}

/// A CHECK expression reduced for comparison: lower case, without
/// quotes, parentheses or repeated spaces (`("Email" IS NOT NULL)` →
/// `email is not null`).
fn normalize_check(expr: &str) -> String {
    expr.chars()
        .filter(|c| !matches!(c, '(' | ')' | '"' | '`'))
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use sqlparser::dialect::{MySqlDialect, PostgreSqlDialect};
    use sqlparser::parser::Parser;

    use super::*;

    fn replay(dialect: Dialect, sql: &str) -> Workspace {
        let mut ws = Workspace::new(dialect, None);
        let statements = match dialect {
            Dialect::Mysql => Parser::parse_sql(&MySqlDialect {}, sql),
            _ => Parser::parse_sql(&PostgreSqlDialect {}, sql),
        }
        .expect("parses");
        for s in &statements {
            ws.apply(s);
        }
        ws
    }

    fn name(n: &str) -> ObjectName {
        ObjectName::from(vec![Ident::new(n)])
    }

    /// Dropping a table moves the last one into its slot: the index must
    /// follow it, or the moved table would be lost.
    #[test]
    fn index_follows_drops_and_renames() {
        let ws = replay(
            Dialect::Postgres,
            "CREATE TABLE a (x int); CREATE TABLE b (x int); CREATE TABLE c (x int);\
             CREATE INDEX ix_c ON c (x); DROP TABLE a; ALTER TABLE b RENAME TO a;\
             ALTER TABLE c ADD COLUMN y int; DROP INDEX ix_c;",
        );
        assert!(ws.table(&name("b")).is_none());
        assert_eq!(ws.table_state(&name("a")), TableState::New);
        let c = ws.table(&name("c")).expect("c survives the drop of a");
        assert_eq!(c.columns.len(), 2);
        assert!(c.indexes.is_empty(), "DROP INDEX without a table finds it");
        assert_eq!(ws.table_state(&name("b")), TableState::Unknown);
    }

    #[test]
    fn mysql_names_are_case_insensitive() {
        let ws = replay(
            Dialect::Mysql,
            "CREATE TABLE Orders (x int); CREATE INDEX ix ON ORDERS (x); DROP INDEX ix ON orders;",
        );
        let t = ws.table(&name("orders")).expect("found");
        assert!(t.indexes.is_empty());
        let ws = replay(
            Dialect::Mysql,
            "CREATE TABLE Orders (x int); DROP TABLE ORDERS;",
        );
        assert_eq!(ws.table_state(&name("orders")), TableState::Unknown);
    }
}
