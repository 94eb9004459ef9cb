//! Which YAML files are reservoir manifests (DESIGN §3). A GitOps repository holds other YAML
//! (GitHub workflows, Kubernetes objects, docker-compose files): a document is a manifest when its
//! top-level mapping has `customers:`, or when every top-level key is reservoir's and `version:` is
//! one of them (a file holding only `limits`, which must never be dropped). Other YAML is skipped
//! and listed as skipped by `validate`. A file that looks like a misspelt manifest (a near miss of
//! `customers` beside `version:`) is an error with a did-you-mean, never skipped silently.
//!
//! Only the top-level keys are read here (values are skipped), with tags allowed, so a
//! CloudFormation template's `!Ref` does not matter. A file that is not valid YAML is classified
//! by its column-0 keys as text, so a manifest with a syntax error is still reported.

use super::diagnostics::{Diagnostic, SourceFile};
use super::parse::{self, line_col};
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

/// The top-level keys of a manifest.
pub(super) const MANIFEST_KEYS: &[&str] = &["version", "defaults", "limits", "customers"];

/// What a file is.
pub(super) enum Class {
    /// Nothing but comments, blank lines and document markers.
    Blank,
    /// A reservoir manifest (possibly invalid): parse it.
    Manifest,
    /// Not a reservoir manifest: skip it, for this reason.
    Skip(String),
    /// Not readable as a manifest, and not to be skipped: these problems.
    Problem(Diagnostic),
}

/// Classifies one file's text.
pub(super) fn classify(file: &SourceFile) -> Class {
    if parse::is_blank(&file.text) {
        return Class::Blank;
    }
    let docs = match serde_saphyr::from_multiple_with_options::<TopLevel>(
        &file.text,
        parse::options(false),
    ) {
        Ok(docs) => docs,
        Err(e) => {
            if let serde_saphyr::Error::Budget { .. } = e.without_snippet() {
                return Class::Problem(parse::diagnose(file, &e));
            }
            return by_text(file);
        }
    };
    let mut manifests = Vec::new();
    for (i, doc) in docs.iter().enumerate() {
        match doc {
            TopLevel::Map(keys) => match keys_class(keys) {
                KeyClass::Manifest => manifests.push(i),
                KeyClass::Misspelt { key, line, column } => {
                    return Class::Problem(misspelt(&key).at(file, line, column));
                }
                KeyClass::Other => {}
            },
            TopLevel::Other => {}
        }
    }
    match (manifests.as_slice(), docs.len()) {
        ([], 0) => Class::Blank,
        ([], _) => Class::Skip("no top-level `customers:`".into()),
        ([_], 1) => Class::Manifest,
        // Several documents of which one is a manifest: `parse` reports them.
        _ => Class::Manifest,
    }
}

/// The number of non-empty YAML documents in the text; `None` when it is not valid YAML.
pub(super) fn document_count(file: &SourceFile) -> Option<usize> {
    serde_saphyr::from_multiple_with_options::<TopLevel>(&file.text, parse::options(false))
        .ok()
        .map(|d| d.len())
}

/// The error for a near miss of `customers`.
fn misspelt(key: &str) -> Diagnostic {
    Diagnostic::error(format!(
        "unknown top-level field \"{key}\": this looks like a reservoir manifest without `customers:`"
    ))
    .with_hint("did you mean \"customers\"?")
}

enum KeyClass {
    Manifest,
    Misspelt {
        key: String,
        line: usize,
        column: usize,
    },
    Other,
}

/// True for a key that is probably `customers` misspelt.
fn near_customers(key: &str) -> bool {
    let k = key.trim().to_lowercase();
    key != "customers"
        && (k == "customers" || k == "customer" || strsim::jaro_winkler(&k, "customers") >= 0.85)
}

fn keys_class(keys: &[(String, usize, usize)]) -> KeyClass {
    let has = |name: &str| keys.iter().any(|(k, ..)| k == name);
    if has("customers") {
        return KeyClass::Manifest;
    }
    let reservoir_like =
        |k: &str| MANIFEST_KEYS.contains(&k) || parse::did_you_mean(k, MANIFEST_KEYS).is_some();
    if let Some((key, line, column)) = keys.iter().find(|(k, ..)| near_customers(k))
        && (has("version") || keys.iter().all(|(k, ..)| reservoir_like(k)))
    {
        return KeyClass::Misspelt {
            key: key.clone(),
            line: *line,
            column: *column,
        };
    }
    if has("version")
        && keys
            .iter()
            .all(|(k, ..)| MANIFEST_KEYS.contains(&k.as_str()))
    {
        return KeyClass::Manifest;
    }
    KeyClass::Other
}

/// Classification of a file that is not valid YAML, by its column-0 keys.
fn by_text(file: &SourceFile) -> Class {
    let mut keys = Vec::new();
    for (i, line) in file.text.lines().enumerate() {
        let Some((key, _)) = line.split_once(':') else {
            continue;
        };
        let key = key.trim_end().trim_matches(|c| c == '"' || c == '\'');
        if !key.is_empty()
            && !line.starts_with([' ', '\t', '#', '-'])
            && key
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        {
            keys.push((key.to_owned(), i + 1, 1));
        }
    }
    match keys_class(&keys) {
        KeyClass::Manifest => Class::Manifest,
        KeyClass::Misspelt { key, line, column } => {
            Class::Problem(misspelt(&key).at(file, line, column))
        }
        KeyClass::Other => Class::Skip("not valid YAML, and no top-level `customers:`".into()),
    }
}

/// One document, as far as classification needs it: its top-level keys with their location.
enum TopLevel {
    Map(Vec<(String, usize, usize)>),
    Other,
}

impl<'de> Deserialize<'de> for TopLevel {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TopLevel;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any YAML document")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<TopLevel, A::Error> {
                let mut keys = Vec::new();
                while let Some(k) = a.next_key::<Spanned<Key>>()? {
                    a.next_value::<IgnoredAny>()?;
                    if let Some(text) = k.value.0 {
                        let (line, column) = line_col(&k.referenced).unwrap_or((1, 1));
                        keys.push((text, line, column));
                    }
                }
                Ok(TopLevel::Map(keys))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<TopLevel, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(TopLevel::Other)
            }
            fn visit_str<E>(self, _: &str) -> Result<TopLevel, E> {
                Ok(TopLevel::Other)
            }
            fn visit_bool<E>(self, _: bool) -> Result<TopLevel, E> {
                Ok(TopLevel::Other)
            }
            fn visit_i64<E>(self, _: i64) -> Result<TopLevel, E> {
                Ok(TopLevel::Other)
            }
            fn visit_u64<E>(self, _: u64) -> Result<TopLevel, E> {
                Ok(TopLevel::Other)
            }
            fn visit_f64<E>(self, _: f64) -> Result<TopLevel, E> {
                Ok(TopLevel::Other)
            }
            fn visit_unit<E>(self) -> Result<TopLevel, E> {
                Ok(TopLevel::Other)
            }
        }
        d.deserialize_any(V)
    }
}

/// A mapping key: its text when it is a scalar.
struct Key(Option<String>);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a mapping key")
            }
            fn visit_str<E>(self, v: &str) -> Result<Key, E> {
                Ok(Key(Some(v.to_owned())))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Key, E> {
                Ok(Key(Some(v.to_string())))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Key, E> {
                Ok(Key(Some(v.to_string())))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Key, E> {
                Ok(Key(Some(v.to_string())))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Key, E> {
                Ok(Key(Some(v.to_string())))
            }
            fn visit_unit<E>(self) -> Result<Key, E> {
                Ok(Key(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Key, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Key(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Key, A::Error> {
                while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Key(None))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn class(text: &str) -> String {
        let f = SourceFile::new(Path::new("f.yaml"), text.to_owned());
        match classify(&f) {
            Class::Blank => "blank".into(),
            Class::Manifest => "manifest".into(),
            Class::Skip(why) => format!("skip: {why}"),
            Class::Problem(d) => format!("problem: {}", d.to_plain()),
        }
    }

    #[test]
    fn manifests_are_recognised_by_customers_or_reservoir_keys_only() {
        assert_eq!(class("version: 1\ncustomers: []\n"), "manifest");
        assert_eq!(class("customers:\n"), "manifest");
        assert_eq!(
            class("version: 1\nlimits:\n  max_units_per_apply: 3\n"),
            "manifest"
        );
        assert_eq!(class("version: 1\n"), "manifest");
        assert_eq!(class("version: 1\ncustomers: []\n---\n"), "manifest");
        assert_eq!(class("# c\n---\n"), "blank");
    }

    #[test]
    fn other_yaml_is_skipped() {
        let workflow = "name: ci\non:\n  push:\njobs:\n  b:\n    runs-on: ubuntu-latest\n";
        let configmap =
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  version: \"1\"\n";
        let compose = "version: \"3.8\"\nservices:\n  db:\n    image: postgres\nsecrets:\n  s:\n    file: x\nvolumes: {}\nnetworks: {}\nconfigs: {}\n";
        let multi = "apiVersion: v1\nkind: A\n---\napiVersion: v1\nkind: B\n";
        let cfn = "Resources:\n  B:\n    Type: X\n    Properties:\n      Region: !Ref Region\n";
        for text in [workflow, configmap, compose, multi, cfn, "- a\n- b\n"] {
            assert!(class(text).starts_with("skip: "), "{text}: {}", class(text));
        }
        assert!(class("{{ if .Values.x }}\nkey: {{ .Values.y }}\n").starts_with("skip: not valid"));
    }

    #[test]
    fn a_misspelt_manifest_is_an_error_with_a_did_you_mean() {
        for text in [
            "version: 1\ncustomer:\n  - id: x\n",
            "version: 1\ncustmers:\n  - id: x\n",
            "version: 1\nCustomers: []\n",
            "custmers: []\ndefaults: {}\n",
            "version: 1\ncustmers: [\n",
        ] {
            let c = class(text);
            assert!(
                c.starts_with("problem: error: unknown top-level field"),
                "{text}: {c}"
            );
            assert!(c.contains("did you mean \"customers\"?"), "{c}");
        }
    }
}
