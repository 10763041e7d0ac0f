//! Input rules shared by the API and the UI, each naming the field.

use crate::{AppError, AppResult};

/// Resource ids: `^[a-z][a-z0-9-]{0,62}$`.
pub fn resource_id(field: &str, id: &str) -> AppResult<()> {
    let mut chars = id.chars();
    let ok = matches!(chars.next(), Some('a'..='z'))
        && id.len() <= 63
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '-'));
    if ok {
        Ok(())
    } else {
        Err(AppError::invalid(
            field,
            format!(
                "{:?} is not a valid id: use 1 to 63 lower-case letters, digits and '-', starting with a letter",
                clip(id)
            ),
        ))
    }
}

/// A human-readable title or name: 1–200 characters, no control characters.
pub fn title(field: &str, value: &str) -> AppResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(AppError::invalid(field, "must not be empty"));
    }
    if value.chars().count() > 200 {
        return Err(AppError::invalid(field, "must be at most 200 characters"));
    }
    if value.chars().any(char::is_control) {
        return Err(AppError::invalid(
            field,
            "must not contain control characters",
        ));
    }
    Ok(value.to_string())
}

/// An email address, lower-cased: something@something.tld, at most 254.
pub fn email(field: &str, value: &str) -> AppResult<String> {
    let value = value.trim().to_lowercase();
    let valid = value.len() <= 254
        && !value
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | ','))
        && value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        });
    if valid {
        Ok(value)
    } else {
        Err(AppError::invalid(
            field,
            format!("{:?} is not an email address", clip(&value)),
        ))
    }
}

/// A password: 8 to 1024 characters.
pub fn password(field: &str, value: &str) -> AppResult<()> {
    let n = value.chars().count();
    if n < 8 {
        return Err(AppError::invalid(field, "must be at least 8 characters"));
    }
    if n > 1024 {
        return Err(AppError::invalid(field, "must be at most 1024 characters"));
    }
    Ok(())
}

/// A project key: 1–10 upper-case letters or digits, starting with a letter.
pub fn project_key(field: &str, value: &str) -> AppResult<String> {
    let value = value.trim();
    let mut chars = value.chars();
    let ok = matches!(chars.next(), Some('A'..='Z'))
        && value.len() <= 10
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if ok {
        Ok(value.to_string())
    } else {
        Err(AppError::invalid(
            field,
            format!(
                "{:?} is not a valid key: use 1 to 10 upper-case letters and digits, starting with a letter",
                clip(value)
            ),
        ))
    }
}

/// Free text such as a host or user name: at most `max` characters, no
/// control characters.
pub fn text(field: &str, value: &str, max: usize) -> AppResult<String> {
    if value.chars().count() > max {
        return Err(AppError::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(AppError::invalid(
            field,
            "must not contain control characters",
        ));
    }
    Ok(value.trim().to_string())
}

/// Free text over several lines (descriptions, comments): at most `max`
/// characters, no control characters but line breaks and tabs.
pub fn multiline_text(field: &str, value: &str, max: usize) -> AppResult<String> {
    if value.chars().count() > max {
        return Err(AppError::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(AppError::invalid(
            field,
            "must not contain control characters other than line breaks and tabs",
        ));
    }
    Ok(value.trim().to_string())
}

/// Shorten what we echo back so an error never repeats a huge input.
fn clip(value: &str) -> String {
    if value.chars().count() > 64 {
        format!("{}…", value.chars().take(64).collect::<String>())
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_ids() {
        for ok in ["a", "prod", "prod-eu-1", &format!("a{}", "b".repeat(62))] {
            assert!(resource_id("id", ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "1a",
            "-a",
            "Prod",
            "a_b",
            "a b",
            "a;drop",
            &format!("a{}", "b".repeat(63)),
            "é",
        ] {
            assert!(resource_id("id", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn emails_and_keys() {
        assert_eq!(
            email("email", " Ann@Example.COM ").unwrap(),
            "ann@example.com"
        );
        for bad in ["", "ann", "ann@", "@x.io", "ann@x", "a b@x.io", "<a>@x.io"] {
            assert!(email("email", bad).is_err(), "{bad}");
        }
        assert!(project_key("key", "SHOP2").is_ok());
        for bad in ["", "shop", "2SHOP", "SHOPSHOPSHOP", "SH-OP"] {
            assert!(project_key("key", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn errors_name_the_field() {
        let err = title("title", "  ").unwrap_err();
        assert_eq!(err.to_string(), "title: must not be empty");
    }
}
