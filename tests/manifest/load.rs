//! Loading semantics: defaults, normalisation, merging of files, the manifest hash.

use reservoir::manifest::{self, ReservationTarget, Scope, Term};
use std::path::Path;

use crate::support::world::CONTOSO;
const PLAN: &str = "9a51d0e2-3b7c-4f0a-8c61-5e2d9f4a7b10";

fn load(docs: &[(&str, &str)]) -> manifest::Loaded {
    let docs: Vec<(&Path, &str)> = docs.iter().map(|(p, t)| (Path::new(*p), *t)).collect();
    manifest::load_str(&docs).unwrap_or_else(|d| panic!("{}", d.to_plain()))
}

#[test]
fn defaults_apply_per_file_and_ids_are_normalised() {
    let a = format!(
        "version: 1\ndefaults:\n  term: P3Y\n  scope: single\ncustomers:\n  - id: {}\n    name: contoso\n    subscriptions:\n      - id: {}\n        kind: azure-plan\n        reservations:\n          - name: web\n            type: vm\n            sku: Standard_D4s_v5\n            region: EastUS\n            quantity: 4\n",
        CONTOSO.to_uppercase(),
        PLAN.to_uppercase()
    );
    let b = format!(
        "version: 1\ncustomers:\n  - id: {CONTOSO}\n    subscriptions:\n      - id: {PLAN}\n        kind: azure-plan\n        reservations:\n          - name: db\n            type: sql\n            product: dzh318z0bq4m\n            sku: \"0007\"\n            quantity: 1\n    software:\n      - name: ws\n        product: dg7gmgf0dwm3\n        sku: \"0002\"\n        term: P1Y\n        billing_cycle: one_time\n        quantity: 5\n"
    );
    let loaded = load(&[("a.yaml", &a), ("b.yaml", &b)]);
    let d = &loaded.desired;
    assert_eq!(d.customers.len(), 1, "one customer merged from two files");
    let c = &d.customers[0];
    assert_eq!(c.id, CONTOSO);
    assert_eq!(c.label(), "contoso");
    assert_eq!(c.subscriptions.len(), 1);
    let s = &c.subscriptions[0];
    assert_eq!(s.id, PLAN);
    let names: Vec<_> = s.reservations.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["db", "web"], "sorted by name");
    let db = &s.reservations[0];
    assert_eq!(
        (db.term, db.scope),
        (Term::P1Y, Scope::Shared),
        "a.yaml's defaults stay in a.yaml"
    );
    assert_eq!(
        db.target,
        ReservationTarget::Pinned {
            product_id: "DZH318Z0BQ4M".into(),
            sku_id: "0007".into()
        }
    );
    let web = &s.reservations[1];
    assert_eq!((web.term, web.scope), (Term::P3Y, Scope::Single));
    assert_eq!(
        web.target,
        ReservationTarget::Arm {
            arm_sku_name: "Standard_D4s_v5".into(),
            arm_region_name: "eastus".into()
        }
    );
    assert_eq!(web.source.to_string(), "a.yaml:12:19");
    let ws = &c.software[0];
    assert_eq!(ws.product_id, "DG7GMGF0DWM3");
    assert_eq!(ws.billing_cycle.as_deref(), Some("one_time"));
    assert_eq!(ws.term.as_deref(), Some("P1Y"));
}

#[test]
fn the_manifest_hash_ignores_layout_but_not_meaning() {
    let one = format!(
        "version: 1\ncustomers:\n  - id: {CONTOSO}\n    software:\n      - name: ws\n        product: DG7GMGF0DWM3\n        sku: \"0002\"\n        quantity: 5\n"
    );
    let reformatted = format!(
        "# a comment\nversion: 1\n\ncustomers:\n- id: {}\n  software:\n  - {{quantity: 5, sku: '0002', product: dg7gmgf0dwm3, name: ws}}\n",
        CONTOSO.to_uppercase()
    );
    let changed = one.replace("quantity: 5", "quantity: 6");
    let h1 = load(&[("x.yaml", &one)]).desired.manifest_hash;
    let h2 = load(&[("elsewhere/y.yaml", &reformatted)])
        .desired
        .manifest_hash;
    let h3 = load(&[("x.yaml", &changed)]).desired.manifest_hash;
    assert_eq!(h1.len(), 64);
    assert_eq!(h1, h2);
    assert_ne!(h1, h3);
}

#[test]
fn quoted_and_unquoted_catalog_ids_keep_their_text() {
    let text = format!(
        "version: 1\ncustomers:\n  - id: {CONTOSO}\n    software:\n      - name: ws\n        product: DG7GMGF0DWM3\n        sku: 0002\n        quantity: 5\n"
    );
    let d = load(&[("x.yaml", &text)]).desired;
    assert_eq!(d.customers[0].software[0].sku_id, "0002");
}

#[test]
fn a_folder_is_read_recursively_in_sorted_order_skipping_dot_folders() {
    let dir = tempfile::tempdir().unwrap();
    let item = |name: &str, sku: &str| {
        format!(
            "version: 1\ncustomers:\n  - id: {CONTOSO}\n    name: contoso\n    software:\n      - name: {name}\n        product: DG7GMGF0DWM3\n        sku: \"{sku}\"\n        quantity: 1\n"
        )
    };
    std::fs::create_dir_all(dir.path().join("z/deeper")).unwrap();
    std::fs::create_dir_all(dir.path().join(".reservoir")).unwrap();
    std::fs::create_dir_all(dir.path().join(".github/workflows")).unwrap();
    std::fs::write(dir.path().join("b.yml"), item("b", "0002")).unwrap();
    std::fs::write(dir.path().join("z/deeper/a.yaml"), item("a", "0003")).unwrap();
    std::fs::write(dir.path().join(".reservoir/junk.yaml"), "not: a manifest").unwrap();
    std::fs::write(dir.path().join(".github/workflows/ci.yml"), "on: push").unwrap();
    std::fs::write(dir.path().join("README.md"), "# hi").unwrap();
    let loaded =
        manifest::load(&[dir.path().to_path_buf()]).unwrap_or_else(|d| panic!("{}", d.to_plain()));
    let files: Vec<_> = loaded
        .files
        .iter()
        .map(|f| {
            f.strip_prefix(dir.path())
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(files, ["b.yml", "z/deeper/a.yaml"]);
    assert_eq!(loaded.item_count(), 2);
}

#[test]
fn an_empty_folder_or_missing_path_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = manifest::load(&[dir.path().to_path_buf()]).expect_err("no manifests");
    assert!(
        err.errors[0].message.starts_with("no manifests"),
        "{}",
        err.to_plain()
    );
    let err = manifest::load(&[dir.path().join("missing.yaml")]).expect_err("missing");
    assert!(
        err.errors[0].message.contains("no such file or folder"),
        "{}",
        err.to_plain()
    );
}

#[test]
fn an_empty_trailing_document_is_accepted() {
    let text = format!(
        "---\nversion: 1\ncustomers:\n  - id: {CONTOSO}\n    software:\n      - name: ws\n        product: DG7GMGF0DWM3\n        sku: \"0002\"\n        quantity: 5\n---\n"
    );
    let loaded = load(&[("m.yaml", &text)]);
    assert_eq!(loaded.item_count(), 1);
    let with_end = format!("{text}...\n---\n# nothing more\n");
    assert_eq!(load(&[("m.yaml", &with_end)]).item_count(), 1);
}

#[test]
fn a_manifest_above_the_yaml_readers_default_node_limit_loads() {
    // serde-saphyr refuses more than 250,000 nodes by default; 20,000 items are ~320,000.
    let mut text = format!("version: 1\ncustomers:\n  - id: {CONTOSO}\n    software:\n");
    for i in 0..20_000 {
        text.push_str(&format!(
            "      - name: item-{i}\n        product: DG7GMGF0DWM3\n        sku: \"{i:04}\"\n        quantity: 1\n        term: P1Y\n        billing_cycle: annual\n"
        ));
    }
    let loaded = load(&[("big.yaml", &text)]);
    assert_eq!(loaded.item_count(), 20_000);
}

#[test]
fn a_file_above_the_size_limit_is_refused_naming_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.yaml");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(65 * 1024 * 1024).unwrap(); // sparse: nothing is written
    let diags = manifest::load(&[path]).expect_err("too large");
    let text = diags.to_plain();
    assert!(
        text.contains("above the 64 MiB limit for one manifest file"),
        "{text}"
    );
}

#[test]
fn unknown_tags_are_refused_but_standard_ones_are_not() {
    let text = |region: &str| {
        format!(
            "version: 1\ncustomers:\n  - id: {CONTOSO}\n    subscriptions:\n      - id: {PLAN}\n        kind: azure-plan\n        reservations:\n          - name: web\n            type: vm\n            sku: Standard_D2s_v5\n            region: {region}\n            quantity: 2\n"
        )
    };
    let ok = load(&[("m.yaml", &text("!!str eastus"))]);
    assert_eq!(ok.item_count(), 1);
    for tag in [
        "!Ref Region",
        "!GetAtt x.y",
        "!<tag:example.com,2000:region> eastus",
    ] {
        let docs = [(Path::new("m.yaml"), text(tag))];
        let docs: Vec<(&Path, &str)> = docs.iter().map(|(p, t)| (*p, t.as_str())).collect();
        let diags = manifest::load_str(&docs).expect_err(tag);
        let plain = diags.to_plain();
        assert!(plain.contains("unknown YAML tag"), "{tag}: {plain}");
        assert!(plain.contains("m.yaml:11:"), "{tag}: {plain}");
    }
}
