//! Turning the text of a submitted form into typed values, each failure
//! filed under its input.

use super::layout::FormErrors;
use std::str::FromStr;

/// Empty (after trimming) means "not given".
pub fn optional(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_string())
}

/// A checkbox arrives as "on" when ticked and is missing otherwise.
pub fn checked(value: &Option<String>) -> bool {
    value
        .as_deref()
        .is_some_and(|v| !v.is_empty() && v != "off" && v != "false")
}

/// An optional whole number; a non-number is an error on `field`.
pub fn number<T: FromStr>(field: &str, value: &str, errors: &mut FormErrors) -> Option<T> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    match value.parse() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.add(field, format!("{value:?} is not a number"));
            None
        }
    }
}

/// One of the upper-case names of an enumeration, or an error on `field`.
pub fn choice<T: Copy>(
    field: &str,
    value: &str,
    parse: fn(&str) -> Option<T>,
    all: &[T],
    name: fn(T) -> &'static str,
    errors: &mut FormErrors,
) -> Option<T> {
    let parsed = parse(value.trim());
    if parsed.is_none() {
        let options: Vec<&str> = all.iter().map(|v| name(*v)).collect();
        errors.add(field, format!("choose one of {}", options.join(", ")));
    }
    parsed
}

/// An option of a `<select>`.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Opt {
    pub fn list<'a>(
        items: impl IntoIterator<Item = (&'a str, &'a str)>,
        selected: &str,
    ) -> Vec<Opt> {
        items
            .into_iter()
            .map(|(value, label)| Opt {
                value: value.to_string(),
                label: label.to_string(),
                selected: value == selected,
            })
            .collect()
    }
}
