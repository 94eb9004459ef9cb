//! Recovery for structural errors. serde stops at the first unknown field, missing field or wrong
//! type in a file; when it does, the file is read again into a located YAML tree and checked
//! against the JSON Schema (the same one `reservoir schema` prints), which finds every such
//! problem in the file at once. The same tree is then read leniently (see `lenient`) so the
//! file's values are still checked.

use super::diagnostics::{Diagnostic, SourceFile};
use super::parse::{did_you_mean, line_col, missing_field_hint};
use super::show::quoted;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_saphyr::Spanned;

/// A YAML node with its location.
pub(super) type Node = Spanned<Raw>;

/// A YAML value, its children located. Scalars keep what serde saw: a string, an integer, or
/// another plain value (a float, a boolean, an integer too large for `i64`) as text.
#[derive(Debug)]
pub(super) enum Raw {
    Null,
    Str(String),
    Int(i64),
    Other(String),
    Seq(Vec<Node>),
    Map(Vec<(Spanned<String>, Node)>),
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Raw;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any YAML value")
            }
            fn visit_unit<E>(self) -> Result<Raw, E> {
                Ok(Raw::Null)
            }
            fn visit_none<E>(self) -> Result<Raw, E> {
                Ok(Raw::Null)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Raw, E> {
                Ok(Raw::Other(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Raw, E> {
                Ok(Raw::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Raw, E> {
                Ok(i64::try_from(v).map_or_else(|_| Raw::Other(v.to_string()), Raw::Int))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Raw, E> {
                Ok(Raw::Other(v.to_string()))
            }
            fn visit_str<E>(self, v: &str) -> Result<Raw, E> {
                Ok(Raw::Str(v.to_owned()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Raw, A::Error> {
                let mut items = Vec::new();
                while let Some(x) = a.next_element()? {
                    items.push(x);
                }
                Ok(Raw::Seq(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Raw, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = a.next_entry()? {
                    entries.push(entry);
                }
                Ok(Raw::Map(entries))
            }
        }
        d.deserialize_any(V)
    }
}

impl Raw {
    /// A scalar's text; `None` for anything else.
    pub(super) fn text(&self) -> Option<String> {
        match self {
            Raw::Str(s) | Raw::Other(s) => Some(s.clone()),
            Raw::Int(i) => Some(i.to_string()),
            Raw::Null | Raw::Seq(_) | Raw::Map(_) => None,
        }
    }
}

/// The file as a located tree, `None` when it cannot be read as one (not valid YAML).
pub(super) fn tree(file: &SourceFile) -> Option<Node> {
    super::parse::read_one::<Node>(file).ok()
}

/// Every structural problem of the tree against the schema; empty when the schema finds nothing.
pub(super) fn problems(file: &SourceFile, tree: &Node) -> Vec<Diagnostic> {
    let Ok(schema) = serde_json::from_str::<Value>(&super::schema_json()) else {
        return Vec::new();
    };
    let mut walk = Walk {
        file,
        root: &schema,
        out: Vec::new(),
    };
    walk.check(tree, &schema, None);
    walk.out
}

struct Walk<'a> {
    file: &'a SourceFile,
    root: &'a Value,
    out: Vec<Diagnostic>,
}

impl<'a> Walk<'a> {
    fn at<T>(&self, d: Diagnostic, node: &Spanned<T>) -> Diagnostic {
        match line_col(&node.referenced) {
            Some((l, c)) => d.at(self.file, l, c),
            None => d.in_file(&self.file.path),
        }
    }

    fn resolve(&self, schema: &'a Value) -> &'a Value {
        // A described reference (`allOf` of one schema) is that schema.
        if let Some([only]) = schema
            .get("allOf")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        {
            return self.resolve(only);
        }
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => r
                .strip_prefix("#/definitions/")
                .and_then(|name| self.root.get("definitions")?.get(name))
                .unwrap_or(schema),
            None => schema,
        }
    }

    /// Checks `node` against `schema`; `key` is the field holding it, for messages.
    fn check(&mut self, node: &Node, schema: &'a Value, key: Option<&str>) {
        let owner = ref_name(schema);
        let schema = self.resolve(schema);
        if let Some(branches) = schema.get("anyOf").and_then(Value::as_array) {
            // `Option<T>`: T or null.
            if matches!(node.value, Raw::Null) && branches.iter().any(is_null_type) {
                return;
            }
            if let Some(b) = branches.iter().find(|b| !is_null_type(b)) {
                self.check(node, b, key);
            }
            return;
        }
        let types = types_of(schema);
        if types.is_empty() {
            return; // nothing to check here
        }
        match &node.value {
            Raw::Null if types.contains(&"null") => {}
            Raw::Map(entries) if types.contains(&"object") => {
                self.object(node, entries, schema, owner)
            }
            Raw::Seq(items) if types.contains(&"array") => {
                if let Some(item_schema) = schema.get("items") {
                    for item in items {
                        self.check(item, item_schema, key);
                    }
                }
            }
            // Which values are allowed (enums, patterns, ranges) is checked by the validation
            // pass, with every other problem of the value.
            Raw::Str(_) | Raw::Int(_) | Raw::Other(_)
                if types.iter().any(|t| matches!(*t, "string" | "integer")) => {}
            // serde reads an empty value as an absent list.
            Raw::Null if types.contains(&"array") => {}
            Raw::Null if key.is_some() => {
                let key = key.unwrap_or_default();
                let mut d = Diagnostic::error(format!("{key} is empty"));
                if let Some(h) = missing_field_hint(None, key) {
                    d = d.with_hint(h);
                }
                let d = self.at(d, node);
                self.out.push(d);
            }
            other => {
                let expected = if types.contains(&"object") {
                    "a mapping"
                } else if types.contains(&"array") {
                    "a list"
                } else if types.contains(&"integer") {
                    "an integer"
                } else {
                    "a string"
                };
                let found = match other {
                    Raw::Null => "an empty value".to_owned(),
                    Raw::Str(v) | Raw::Other(v) => quoted(v),
                    Raw::Int(i) => format!("\"{i}\""),
                    Raw::Seq(_) => "a list".to_owned(),
                    Raw::Map(_) => "a mapping".to_owned(),
                };
                let mut d =
                    Diagnostic::error(format!("wrong type: expected {expected}, found {found}"));
                if let Some(guid) = braced_guid(other)
                    && expected == "a string"
                {
                    d = d.with_hint(format!(
                        "an unquoted {{…}} is read as a YAML mapping: write the GUID without \
                         braces, e.g. {guid}"
                    ));
                }
                let d = self.at(d, node);
                self.out.push(d);
            }
        }
    }

    fn object(
        &mut self,
        node: &Node,
        entries: &[(Spanned<String>, Node)],
        schema: &'a Value,
        owner: Option<&str>,
    ) {
        let props = schema.get("properties").and_then(Value::as_object);
        let known: Vec<&str> = props
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default();
        // A misspelt field is reported once, not also as the required field it misses.
        let mut suggested = Vec::new();
        for (key, value) in entries {
            match props.and_then(|p| p.get(&key.value)) {
                Some(prop_schema) => self.check(value, prop_schema, Some(&key.value)),
                None => {
                    let d = Diagnostic::error(format!("unknown field \"{}\"", key.value));
                    let d = match did_you_mean(&key.value, &known) {
                        Some(k) => {
                            suggested.push(k);
                            d.with_hint(format!("did you mean \"{k}\"?"))
                        }
                        None => d.with_hint(format!("expected one of: {}", known.join(", "))),
                    };
                    let d = self.at(d, key);
                    self.out.push(d);
                }
            }
        }
        let required = schema.get("required").and_then(Value::as_array);
        for field in required.into_iter().flatten().filter_map(Value::as_str) {
            if !entries.iter().any(|(k, _)| k.value == field) && !suggested.contains(&field) {
                let mut d = Diagnostic::error(format!("missing required field \"{field}\""));
                if let Some(h) = missing_field_hint(owner, field) {
                    d = d.with_hint(h);
                }
                let d = match entries.first() {
                    Some((k, _)) => self.at(d, k),
                    None => self.at(d, node),
                };
                self.out.push(d);
            }
        }
    }
}

/// The definition a schema refers to (`Software`, `Reservation`), if it is a reference.
fn ref_name(schema: &Value) -> Option<&str> {
    let schema = match schema
        .get("allOf")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        Some([only]) => only,
        _ => schema,
    };
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/definitions/"))
}

/// The GUID of a mapping read from an unquoted `{GUID}`: one key, a GUID, with no value.
fn braced_guid(raw: &Raw) -> Option<&str> {
    match raw {
        Raw::Map(entries) => match entries.as_slice() {
            [(k, v)] if matches!(v.value, Raw::Null) && super::check::is_guid(&k.value) => {
                Some(k.value.as_str())
            }
            _ => None,
        },
        _ => None,
    }
}

fn is_null_type(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("null")
}

/// The JSON types a schema allows; for a choice of typed values (an enum: `oneOf` constants),
/// the types of its values. Empty when the schema does not say.
fn types_of(schema: &Value) -> Vec<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => {
            let branches = schema.get("oneOf").and_then(Value::as_array);
            let types: Vec<Vec<&str>> = branches.into_iter().flatten().map(types_of).collect();
            if types.iter().any(Vec::is_empty) {
                return Vec::new();
            }
            let mut all: Vec<&str> = types.into_iter().flatten().collect();
            all.sort_unstable();
            all.dedup();
            all
        }
    }
}
