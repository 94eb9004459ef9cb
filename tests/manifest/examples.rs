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
    for wf in ["reservoir-plan.yml", "reservoir-apply.yml", "release.yml"] {
        assert!(
            Path::new("examples/.github/workflows").join(wf).is_file(),
            "{wf}"
        );
    }
}

fn workflow(name: &str) -> String {
    std::fs::read_to_string(Path::new("examples/.github/workflows").join(name)).unwrap()
}

/// The pull-request workflow plans with read credentials only, saves the plan, and keeps one
/// comment per pull request that always reflects the latest push (also when validation fails).
#[test]
fn the_pr_workflow_plans_saves_and_comments_without_purchase_credentials() {
    let wf = workflow("reservoir-plan.yml");
    for needle in [
        "pull_request:",
        "reservoir validate .",
        "reservoir plan . --out plan.json --detailed-exitcode",
        "reservoir show plan.json --format markdown",
        "updateComment",
        "manifests invalid",
        "GITHUB_STEP_SUMMARY",
        "actions/upload-artifact",
        "environment: partner-center-read",
        "secrets.RESERVOIR_STATE",
        "sha256sum -c",
        "RESERVOIR_LOG",
    ] {
        assert!(wf.contains(needle), "plan workflow lacks {needle:?}");
    }
    // The comment step runs whatever happened before it, so it never shows a stale plan.
    let comment = &wf[wf.find("Post or update the plan comment").unwrap()..];
    assert!(comment.contains("if: always()"), "{comment}");
    assert!(
        !wf.contains("environment: partner-center\n"),
        "no purchase environment on PRs"
    );
    assert!(
        !wf.contains("reservoir apply"),
        "a pull request never applies"
    );
    assert!(!wf.contains("cargo install"), "installs a release binary");
}

/// The merge workflow applies exactly the reviewed plan from a gated environment, one apply at a
/// time across refs, with state in PostgreSQL (no cache step).
#[test]
fn the_apply_workflow_applies_exactly_the_reviewed_plan_behind_a_gate() {
    let wf = workflow("reservoir-apply.yml");
    for needle in [
        "branches: [main]",
        "group: reservoir-apply\n",
        "cancel-in-progress: false",
        "reservoir plan . --out plan.json",
        "GITHUB_STEP_SUMMARY",
        "environment: partner-center\n",
        "reservoir apply --plan plan.json --auto-approve --receipt receipt.json",
        "secrets.RESERVOIR_STATE",
        "listPullRequestsAssociatedWithCommit",
        "sha256sum -c",
    ] {
        assert!(wf.contains(needle), "apply workflow lacks {needle:?}");
    }
    assert!(
        !wf.contains("actions/cache"),
        "state lives in PostgreSQL, not a cache"
    );
    assert!(
        !wf.contains("github.ref }}"),
        "applies are serialised across refs"
    );
    // Purchase-capable secrets appear only after the gated environment.
    let gated = wf.find("environment: partner-center\n").unwrap();
    let plan_job = &wf[..gated];
    assert!(plan_job.contains("environment: partner-center-read"));
    for wf in [
        workflow("reservoir-plan.yml"),
        wf.clone(),
        workflow("release.yml"),
    ] {
        assert!(
            !wf.contains("sandbox-demo-client-secret"),
            "no credentials in a workflow"
        );
    }
}

/// Releases are built for Linux, macOS and Windows with a checksum beside each archive.
#[test]
fn the_release_workflow_builds_every_platform_with_checksums() {
    let wf = workflow("release.yml");
    for needle in [
        "x86_64-unknown-linux-gnu",
        "apple-darwin",
        "x86_64-pc-windows-msvc",
        ".sha256",
        "cargo build --release --locked",
    ] {
        assert!(wf.contains(needle), "release workflow lacks {needle:?}");
    }
}
