//! `schemas/manifest.schema.json` is exactly what `reservoir schema` prints. When it is stale the
//! test shows the diff, and
//! `UPDATE_SCHEMA=1 cargo test --test integration checked_in_schema_is_fresh` rewrites it.

use reservoir::manifest::schema_json;

const CHECKED_IN: &str = "schemas/manifest.schema.json";

#[test]
fn checked_in_schema_is_fresh() {
    let generated = schema_json();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(CHECKED_IN, &generated).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(CHECKED_IN).unwrap_or_default();
    if on_disk != generated {
        let diff = similar::TextDiff::from_lines(&on_disk, &generated)
            .unified_diff()
            .header(CHECKED_IN, "reservoir schema")
            .to_string();
        panic!(
            "{CHECKED_IN} is stale; regenerate it with\n  UPDATE_SCHEMA=1 cargo test --test integration checked_in_schema_is_fresh\n(or `reservoir schema > {CHECKED_IN}`)\n\n{diff}"
        );
    }
}

#[test]
fn schema_describes_every_field() {
    let v: serde_json::Value = serde_json::from_str(&schema_json()).unwrap();
    let mut missing = Vec::new();
    let defs = v["definitions"].as_object().unwrap();
    let mut objects = vec![("Manifest".to_string(), &v)];
    objects.extend(defs.iter().map(|(k, v)| (k.clone(), v)));
    for (name, def) in objects {
        if let Some(props) = def["properties"].as_object() {
            for (field, schema) in props {
                if schema["description"]
                    .as_str()
                    .unwrap_or_default()
                    .is_empty()
                {
                    missing.push(format!("{name}.{field}"));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "fields without a description: {missing:?}"
    );
    let text = schema_json();
    for value in [
        "P1Y",
        "P3Y",
        "shared",
        "single",
        "azure-plan",
        "legacy",
        "vm",
        "sql",
        "cosmosdb",
        "one_time",
    ] {
        assert!(
            text.contains(&format!("\"{value}\"")),
            "{value} is not in the schema"
        );
    }
}
