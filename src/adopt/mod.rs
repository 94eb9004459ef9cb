//! Adoption: bringing customers that already own things under manifests.
//!
//! * [`read`] — what one customer holds now, read through the read-only [`crate::partner_center::Reader`]
//!   (customer, subscriptions, holdings attributed with the catalog).
//! * [`import`] — those holdings written as manifests (`reservoir import`), one per customer;
//!   how a holding becomes an item is each kind's business ([`crate::kinds::declare_holding`]).
//! * [`search`] — what a customer can buy (`reservoir catalog search`), with a ready-to-paste item.

pub mod import;
pub mod read;

/// Where imported manifests point the YAML language server, relative to the file: the schema
/// as `reservoir schema` prints it, kept in `schemas/` beside the manifests' folder (the layout
/// of this repository's `examples/`).
pub const DEFAULT_SCHEMA: &str = "../schemas/manifest.schema.json";

/// A YAML scalar: plain when that cannot be misread (no leading digit, no YAML 1.1 boolean or
/// null word, only `[A-Za-z0-9_.-/]`), else a double-quoted JSON string (valid YAML).
pub(crate) fn yaml_scalar(s: &str) -> String {
    const WORDS: [&str; 12] = [
        "true", "false", "yes", "no", "on", "off", "null", "y", "n", "~", "none", "nan",
    ];
    let plain = s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/'))
        && !WORDS.contains(&s.to_ascii_lowercase().as_str());
    if plain {
        s.to_owned()
    } else {
        serde_json::Value::String(s.to_owned()).to_string()
    }
}

/// Text made safe for a one-line YAML comment.
pub(crate) fn comment_text(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_are_quoted_only_when_yaml_could_misread_them() {
        assert_eq!(yaml_scalar("Standard_D2s_v5"), "Standard_D2s_v5");
        assert_eq!(yaml_scalar("0002"), "\"0002\"");
        assert_eq!(yaml_scalar("no"), "\"no\"");
        assert_eq!(yaml_scalar("Contoso Ltd"), "\"Contoso Ltd\"");
        assert_eq!(yaml_scalar("a\"b"), "\"a\\\"b\"");
    }
}
