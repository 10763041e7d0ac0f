//! column.maximum-varchar-length: VARCHAR lengths have a ceiling.

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "column.maximum-varchar-length",
    code: 304,
    title: "VARCHAR length must not exceed the limit",
    engines: ALL_ENGINES,
    level: Level::Warning,
    options: &[OptionSpec {
        key: "max",
        description: "The largest VARCHAR length allowed.",
        default: DefaultValue::Int(2560),
    }],
    doc: Doc {
        problem: "A very long VARCHAR is usually a text field in disguise. In MySQL it eats into \
                  the 65,535-byte row limit and index prefix limits, and in every engine it \
                  promises a bound that nothing checks.",
        fix: "Use a realistic length, or TEXT for free-form content.",
        bad: "CREATE TABLE posts (id bigint PRIMARY KEY, body varchar(20000));",
        good: "CREATE TABLE posts (id bigint PRIMARY KEY, title varchar(200), body text);",
    },
    check,
};

fn length(data_type: &DataType) -> Option<u64> {
    match data_type {
        DataType::Varchar(Some(CharacterLength::IntegerLength { length, .. }))
        | DataType::CharacterVarying(Some(CharacterLength::IntegerLength { length, .. }))
        | DataType::CharVarying(Some(CharacterLength::IntegerLength { length, .. }))
        | DataType::Nvarchar(Some(CharacterLength::IntegerLength { length, .. })) => Some(*length),
        _ => None,
    }
}

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let max = ctx.config.int("max").max(0) as u64;
    let mut defined: Vec<(&ObjectName, &Ident, &DataType)> = columns_of(statement)
        .into_iter()
        .map(|s| (s.table, &s.def.name, &s.def.data_type))
        .collect();
    if let Statement::AlterTable(alter) = statement {
        for op in &alter.operations {
            match op {
                AlterTableOperation::AlterColumn {
                    column_name,
                    op: AlterColumnOperation::SetDataType { data_type, .. },
                } => defined.push((&alter.name, column_name, data_type)),
                AlterTableOperation::ModifyColumn {
                    col_name,
                    data_type,
                    ..
                }
                | AlterTableOperation::ChangeColumn {
                    new_name: col_name,
                    data_type,
                    ..
                } => defined.push((&alter.name, col_name, data_type)),
                _ => {}
            }
        }
    }
    defined
        .into_iter()
        .filter_map(|(table, column, data_type)| {
            let n = length(data_type).filter(|n| *n > max)?;
            Some(
                ctx.report(
                    column.span,
                    format!(
                        "column {}.{} is VARCHAR({n}), longer than the limit of {max}",
                        display_name(table),
                        column.value
                    ),
                )
                .help(format!(
                    "use VARCHAR({max}) or less, or TEXT for free-form content"
                )),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        for d in Dialect::ALL {
            assert!(run(&RULE, d, "CREATE TABLE t (a varchar(2560), b text)").is_empty());
        }
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Mysql,
            "CREATE TABLE t (a varchar(3000));\nALTER TABLE t MODIFY COLUMN b varchar(5000)"
        ));
        let found = run_with(
            &RULE,
            Dialect::Postgres,
            "CREATE TABLE t (a character varying(300))",
            Some(r#"{"max": 255}"#),
            None,
        );
        assert_eq!(found.len(), 1);
    }
}
