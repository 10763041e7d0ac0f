//! `pg_dump` output as a sorted list of statements, so two dumps compare
//! regardless of the order objects were created in and who owns them.

/// Splits a dump into statements and keeps those that describe the
/// schema: comments, `psql` meta-commands (`\restrict`), session settings
/// (`SET`, `set_config`), ownership (`OWNER TO`) and Sluice's own history
/// schema (`sluice`, outside the model by design) go; the rest is sorted.
pub fn normalize(dump: &str) -> Vec<String> {
    let sql: String = dump
        .lines()
        .filter(|l| !l.starts_with('\\'))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut out: Vec<String> = split_statements(&sql)
        .into_iter()
        .filter(|s| {
            !(s.starts_with("SET ")
                || s.starts_with("SELECT pg_catalog.set_config")
                || s.contains(" OWNER TO ")
                || s == "CREATE SCHEMA sluice"
                || s.contains(" sluice."))
        })
        .collect();
    out.sort();
    out
}

/// Statements of an SQL script: split at `;` outside quotes, dollar
/// quotes and comments, comments dropped, each trimmed.
pub fn split_statements(sql: &str) -> Vec<String> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let mut current = String::new();
    let mut k = 0;
    while k < chars.len() {
        let c = chars[k];
        match c {
            '-' if chars.get(k + 1) == Some(&'-') => {
                while k < chars.len() && chars[k] != '\n' {
                    k += 1;
                }
                continue;
            }
            '\'' | '"' => {
                let end = closing(&chars, k + 1, c);
                current.extend(&chars[k..end]);
                k = end;
                continue;
            }
            '$' => {
                if let Some(tag_end) = dollar_tag(&chars, k) {
                    let tag: String = chars[k..=tag_end].iter().collect();
                    let body_start = tag_end + 1;
                    let end = find(&chars, body_start, &tag)
                        .map(|p| p + tag.chars().count())
                        .unwrap_or(chars.len());
                    current.extend(&chars[k..end]);
                    k = end;
                    continue;
                }
            }
            ';' => {
                push(&mut out, &current);
                current.clear();
                k += 1;
                continue;
            }
            _ => {}
        }
        current.push(c);
        k += 1;
    }
    push(&mut out, &current);
    out
}

fn push(out: &mut Vec<String>, statement: &str) {
    let s = statement.trim();
    if !s.is_empty() {
        out.push(s.to_string());
    }
}

/// The index after the quote that closes one opened before `from`
/// (doubled quotes are part of the text).
fn closing(chars: &[char], from: usize, quote: char) -> usize {
    let mut k = from;
    while k < chars.len() {
        if chars[k] == quote {
            if chars.get(k + 1) == Some(&quote) {
                k += 2;
                continue;
            }
            return k + 1;
        }
        k += 1;
    }
    chars.len()
}

/// The end of a `$tag$` opening at `start`, if one does.
fn dollar_tag(chars: &[char], start: usize) -> Option<usize> {
    let mut k = start + 1;
    while k < chars.len() && (chars[k].is_alphanumeric() || chars[k] == '_') {
        if k == start + 1 && chars[k].is_ascii_digit() {
            return None; // a parameter such as $1
        }
        k += 1;
    }
    (chars.get(k) == Some(&'$')).then_some(k)
}

fn find(chars: &[char], from: usize, needle: &str) -> Option<usize> {
    let n: Vec<char> = needle.chars().collect();
    (from..=chars.len().saturating_sub(n.len())).find(|&k| chars[k..].starts_with(&n))
}

/// The dump with each table's columns sorted: PostgreSQL adds a column
/// back at the end of its table, so a plan that undoes a column drop
/// restores the column but not its place.
pub fn columns_unordered(dump: &[String]) -> Vec<String> {
    let mut out: Vec<String> = dump
        .iter()
        .map(|s| {
            let (Some(open), Some(close)) = (s.find("(\n"), s.rfind("\n)")) else {
                return s.clone();
            };
            if !s.starts_with("CREATE TABLE") || close < open {
                return s.clone();
            }
            let mut lines: Vec<&str> = s[open + 2..close]
                .lines()
                .map(|l| l.trim().trim_end_matches(','))
                .collect();
            lines.sort_unstable();
            format!("{}({}){}", &s[..open], lines.join(", "), &s[close + 2..])
        })
        .collect();
    out.sort();
    out
}
