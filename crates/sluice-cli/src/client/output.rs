//! What the user sees: aligned tables for people, the server's JSON for
//! machines (`--json`).

use serde_json::Value;
use std::io::Write;

/// One column of a table: its header and how to read it from an item.
pub struct Column {
    pub header: &'static str,
    pub value: fn(&Value) -> String,
}

/// Shorthand for a column that shows one field as text.
macro_rules! col {
    ($header:literal, $field:literal) => {
        $crate::client::output::Column {
            header: $header,
            value: |v| $crate::client::output::text(&v[$field]),
        }
    };
    ($header:literal, $f:expr) => {
        $crate::client::output::Column {
            header: $header,
            value: $f,
        }
    };
}
pub(crate) use col;

/// A JSON value as a table cell.
pub fn text(v: &Value) -> String {
    match v {
        Value::Null => "-".to_string(),
        Value::Bool(true) => "yes".to_string(),
        Value::Bool(false) => "no".to_string(),
        Value::String(s) if s.is_empty() => "-".to_string(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) if items.is_empty() => "-".to_string(),
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(", "),
        Value::Object(map) if map.is_empty() => "-".to_string(),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k}={}", text(v)))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// Rows under a header, columns padded to their widest cell.
pub fn table(items: &[Value], columns: &[Column]) -> String {
    let rows: Vec<Vec<String>> =
        std::iter::once(columns.iter().map(|c| c.header.to_string()).collect())
            .chain(
                items
                    .iter()
                    .map(|item| columns.iter().map(|c| one_line((c.value)(item))).collect()),
            )
            .collect();
    let widths: Vec<usize> = (0..columns.len())
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            line.push_str(cell);
            if i + 1 < row.len() {
                line.extend(std::iter::repeat_n(' ', widths[i] - cell.chars().count()));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// One item as `Header: value` lines, for `get`.
pub fn detail(item: &Value, columns: &[Column]) -> String {
    let width = columns
        .iter()
        .map(|c| c.header.chars().count())
        .max()
        .unwrap_or(0)
        + 1;
    columns
        .iter()
        .map(|c| {
            format!(
                "{:<width$} {}\n",
                format!("{}:", title_case(c.header)),
                (c.value)(item)
            )
        })
        .collect()
}

/// Cells must not break the table's lines.
fn one_line(s: String) -> String {
    if s.contains(['\n', '\r', '\t']) {
        s.replace(['\n', '\r', '\t'], " ")
    } else {
        s
    }
}

/// "USER ID" → "User id", for the detail view.
fn title_case(header: &str) -> String {
    let lower = header.to_lowercase();
    let mut chars = lower.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Prints to stdout; a closed pipe (`sluice env list | head -1`) is not an error.
pub fn print(s: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(s.as_bytes()).and_then(|()| out.flush());
}

/// How results are shown, from the global `--json` flag.
#[derive(Clone, Copy, Debug)]
pub struct Out {
    pub json: bool,
}

impl Out {
    pub fn json(&self, v: &Value) {
        let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
        s.push('\n');
        print(&s);
    }

    /// A list answer: the items under `key`, or `empty` when there are none.
    pub fn list(&self, v: &Value, key: &str, columns: &[Column], empty: &str) {
        if self.json {
            return self.json(v);
        }
        match v[key].as_array() {
            Some(items) if !items.is_empty() => print(&table(items, columns)),
            _ => print(&format!("{empty}\n")),
        }
    }

    /// A single resource.
    pub fn one(&self, v: &Value, columns: &[Column]) {
        if self.json {
            self.json(v)
        } else {
            print(&detail(v, columns))
        }
    }

    /// The answer to a change: a short confirmation for people.
    pub fn done(&self, v: &Value, message: &str) {
        if self.json {
            self.json(v)
        } else {
            print(&format!("{message}\n"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn columns() -> Vec<Column> {
        vec![
            col!("ID", "id"),
            col!("TITLE", "title"),
            col!("PROTECTED", "protected"),
        ]
    }

    #[test]
    fn table_aligns_columns_under_a_header() {
        let items = [
            json!({"id": "test", "title": "Test", "protected": false}),
            json!({"id": "prod", "title": "Production\nEU", "protected": true}),
        ];
        assert_eq!(
            table(&items, &columns()),
            "ID    TITLE          PROTECTED\n\
             test  Test           no\n\
             prod  Production EU  yes\n"
        );
    }

    #[test]
    fn detail_lists_fields_one_per_line() {
        let item = json!({"id": "prod", "title": "Production", "protected": true});
        assert_eq!(
            detail(&item, &columns()),
            "Id:        prod\nTitle:     Production\nProtected: yes\n"
        );
    }

    #[test]
    fn text_renders_each_json_kind() {
        assert_eq!(text(&json!(null)), "-");
        assert_eq!(text(&json!("")), "-");
        assert_eq!(text(&json!(42)), "42");
        assert_eq!(text(&json!(["a", "b"])), "a, b");
        assert_eq!(
            text(&json!({"team": "core", "tier": 1})),
            "team=core, tier=1"
        );
    }
}
