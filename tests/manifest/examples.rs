//! `examples/`: every file validates cleanly on its own and the whole folder is one desired state
//! that matches the sandbox's demo world (`docs/demo-world.md`).

use reservoir::manifest::{self, ReservationTarget, Scope, SubscriptionKind, Term};
use std::path::{Path, PathBuf};

fn example_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if p.is_dir() && !name.starts_with('.') {
            example_files(&p, out);
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            out.push(p);
        }
    }
}

#[test]
fn every_example_file_validates_cleanly_on_its_own() {
    let mut files = Vec::new();
    example_files(Path::new("examples"), &mut files);
    assert!(files.len() >= 8, "{files:?}");
    for f in files {
        let loaded = manifest::load(std::slice::from_ref(&f))
            .unwrap_or_else(|d| panic!("{} is invalid:\n{}", f.display(), d.to_plain()));
        assert!(
            loaded.warnings.is_empty(),
            "{}: {:?}",
            f.display(),
            loaded.warnings
        );
    }
}

#[test]
fn every_example_carries_a_schema_modeline_that_resolves() {
    let mut files = Vec::new();
    example_files(Path::new("examples"), &mut files);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let first = text.lines().next().unwrap_or_default();
        let target = first
            .strip_prefix("# yaml-language-server: $schema=")
            .unwrap_or_else(|| panic!("{} has no schema modeline", f.display()));
        let schema = f.parent().unwrap().join(target);
        assert!(
            schema.ends_with("schemas/manifest.schema.json") && schema.is_file(),
            "{}: modeline points at {}",
            f.display(),
            schema.display()
        );
    }
}

#[test]
fn the_examples_folder_is_one_desired_state_of_the_demo_world() {
    let loaded =
        manifest::load(&[PathBuf::from("examples")]).unwrap_or_else(|d| panic!("{}", d.to_plain()));
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    // The workflow under examples/.github is skipped.
    assert!(
        loaded
            .files
            .iter()
            .all(|f| !f.to_string_lossy().contains(".github"))
    );

    let demo = std::fs::read_to_string("docs/demo-world.md").unwrap();
    let d = &loaded.desired;
    let names: Vec<&str> = d.customers.iter().map(|c| c.label()).collect();
    assert_eq!(
        names,
        ["tailspin", "northwind", "contoso", "fabrikam", "adatum"]
    );
    for c in &d.customers {
        assert!(
            demo.contains(&c.id),
            "customer {} is not in the demo world",
            c.id
        );
        for s in &c.subscriptions {
            assert!(
                demo.contains(&s.id),
                "subscription {} is not in the demo world",
                s.id
            );
        }
    }

    // contoso's holdings in the demo world are declared as they are owned (plan: ok).
    let contoso = d.customers.iter().find(|c| c.label() == "contoso").unwrap();
    let plan = &contoso.subscriptions[0];
    assert_eq!(plan.kind, SubscriptionKind::AzurePlan);
    let web = plan
        .reservations
        .iter()
        .find(|r| r.name == "web-tier")
        .unwrap();
    assert_eq!(
        web.target,
        ReservationTarget::Arm {
            arm_sku_name: "Standard_D2s_v5".into(),
            arm_region_name: "eastus".into()
        }
    );
    assert_eq!(
        (web.term, web.scope, web.quantity),
        (Term::P1Y, Scope::Shared, 2)
    );
    let ws = contoso
        .software
        .iter()
        .find(|s| s.name == "windows-server")
        .unwrap();
    assert_eq!(
        (ws.product_id.as_str(), ws.sku_id.as_str(), ws.quantity),
        ("DG7GMGF0DWM3", "0002", 5)
    );

    // Legacy and Azure plan side by side.
    let northwind = d
        .customers
        .iter()
        .find(|c| c.label() == "northwind")
        .unwrap();
    let kinds: Vec<_> = northwind.subscriptions.iter().map(|s| s.kind).collect();
    assert!(
        kinds.contains(&SubscriptionKind::Legacy) && kinds.contains(&SubscriptionKind::AzurePlan)
    );

    // Every reservation type appears.
    let types: std::collections::BTreeSet<_> = d
        .customers
        .iter()
        .flat_map(|c| c.subscriptions.iter())
        .flat_map(|s| s.reservations.iter())
        .map(|r| r.reservation_type)
        .collect();
    assert_eq!(types.len(), 3);
    assert_eq!(d.limits.max_units_per_apply, Some(100));
}

#[test]
fn the_examples_readme_describes_every_example() {
    let readme = std::fs::read_to_string("examples/README.md").unwrap();
    let mut files = Vec::new();
    example_files(Path::new("examples"), &mut files);
    for f in files {
        let rel = f
            .strip_prefix("examples")
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let dir = rel.split('/').next().unwrap_or_default().to_owned() + "/";
        assert!(
            readme.contains(&format!("`{rel}`")) || readme.contains(&format!("`{dir}`")),
            "examples/README.md does not mention {rel}"
        );
    }
    assert!(Path::new("examples/.github/workflows/reservoir.yml").is_file());
}

#[test]
fn the_workflow_plans_on_pull_requests_and_applies_on_main_with_secrets() {
    let wf = std::fs::read_to_string("examples/.github/workflows/reservoir.yml").unwrap();
    for needle in [
        "pull_request:",
        "reservoir plan . --format markdown",
        "reservoir apply . --auto-approve",
        "refs/heads/main",
        "secrets.PARTNER_CENTER_CLIENT_SECRET",
        "updateComment",
        // The journal survives from one apply to the next (exactly-once across runs).
        "path: .reservoir",
        "actions/cache/save",
    ] {
        assert!(wf.contains(needle), "workflow lacks {needle:?}");
    }
    assert!(
        !wf.contains("sandbox-demo-client-secret"),
        "no credentials in the workflow"
    );
}
