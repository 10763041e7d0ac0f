//! Long dependency chains render without recursion: a 2,000-table chain of
//! foreign keys and a 2,000-deep chain of views, declared in the worst
//! order for a naive renderer.

use sluice_schema::*;

const N: usize = 2_000;

#[test]
fn foreign_key_chain_of_2000_tables() {
    for dialect in Dialect::ALL {
        let mut schema = Schema::new("s");
        for i in 0..N {
            let mut t = Table::new(format!("t{i:04}"))
                .with_column(Column::new("id", "integer").not_null())
                .with_column(Column::new("next_id", "integer"))
                .with_primary_key(PrimaryKey::new(Some(&format!("t{i:04}_pkey")), ["id"]));
            if i + 1 < N {
                t = t.with_foreign_key(ForeignKey::new(
                    Some(&format!("t{i:04}_next_fk")),
                    ["next_id"],
                    "s",
                    format!("t{:04}", i + 1),
                    ["id"],
                ));
            }
            schema.tables.push(t);
        }
        let c = Catalog::new("db", dialect).with_schema(schema);
        let stmts = render::statements(&c);
        let fks = stmts.iter().filter(|s| s.contains("FOREIGN KEY")).count();
        assert_eq!(fks, N - 1, "{dialect}");
        // Every table exists before any ALTER TABLE ... ADD that refers to it.
        let first_fk = stmts.iter().position(|s| s.starts_with("ALTER TABLE"));
        if let Some(first_fk) = first_fk {
            let last_table = stmts
                .iter()
                .rposition(|s| s.starts_with("CREATE TABLE"))
                .unwrap();
            assert!(last_table < first_fk);
        }
    }
}

#[test]
fn view_chain_2000_deep() {
    for dialect in Dialect::ALL {
        // v0000 reads the table; v{i} reads v{i-1}. Declared newest first,
        // and named so that name order is the reverse of dependency order.
        let name = |i: usize| format!("v{:04}", N - 1 - i);
        let mut schema = Schema::new("s")
            .with_table(Table::new("base").with_column(Column::new("x", "integer")));
        for i in (0..N).rev() {
            let from = if i == 0 {
                "base".to_string()
            } else {
                name(i - 1)
            };
            schema
                .views
                .push(View::new(name(i), format!("SELECT x FROM {from}")));
        }
        let c = Catalog::new("db", dialect).with_schema(schema);
        let stmts = render::statements(&c);
        let views: Vec<&String> = stmts
            .iter()
            .filter(|s| s.starts_with("CREATE VIEW"))
            .collect();
        assert_eq!(views.len(), N);
        for (i, v) in views.iter().enumerate() {
            assert!(
                v.contains(&name(i)),
                "{dialect}: view {i} out of order: {v}"
            );
        }
    }
}

#[test]
fn deep_chains_fit_in_a_small_stack() {
    // Run the view chain on a thread with a small stack: recursion over
    // 2,000 levels would not fit.
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(view_chain_2000_deep)
        .unwrap()
        .join()
        .unwrap();
}
