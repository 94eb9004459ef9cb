//! A GitOps repository holds more YAML than manifests: `validate` and `plan` at its root skip
//! what is not a manifest (listing it), follow symlinked folders, name broken links, and
//! `validate --format json` reports all of it as one parseable document.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

fn reservoir(dir: &Path) -> Command {
    let mut cmd = Command::from_std(crate::support::reservoir());
    cmd.env("NO_COLOR", "1").current_dir(dir);
    cmd
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

const WORKFLOW: &str = "name: ci\non:\n  push:\n    branches: [main]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n";
const CONFIGMAP: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  version: \"1\"\n  customers: \"4\"\n";
const K8S_MULTI: &str = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: b\n";
const COMPOSE: &str = "version: \"3.8\"\nservices:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: example\n";
const CFN: &str = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Ref Name\n";
const HELM: &str = "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n{{- if .Values.x }}\nspec: {}\n{{- end }}\n";

/// A repository with a manifest among other YAML; returns the names of the non-manifest files.
fn gitops_tree(root: &Path) -> Vec<&'static str> {
    write(root, ".github/workflows/ci.yml", WORKFLOW);
    write(root, "ci/pipeline.yml", WORKFLOW);
    write(root, "k8s/configmap.yaml", CONFIGMAP);
    write(root, "k8s/all.yaml", K8S_MULTI);
    write(root, "docker-compose.yml", COMPOSE);
    write(root, "infra/template.yaml", CFN);
    write(root, "charts/app/templates/service.yaml", HELM);
    let contoso = std::fs::read_to_string("examples/contoso.yaml").unwrap();
    write(root, "reservations/contoso.yaml", &contoso);
    vec![
        "charts/app/templates/service.yaml",
        "ci/pipeline.yml",
        "docker-compose.yml",
        "infra/template.yaml",
        "k8s/all.yaml",
        "k8s/configmap.yaml",
    ]
}

#[test]
fn validate_at_a_gitops_root_lists_the_skipped_files() {
    let dir = tempfile::tempdir().unwrap();
    let skipped = gitops_tree(dir.path());
    let out = reservoir(dir.path()).arg("validate").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stderr}\n{stdout}");
    assert_eq!(
        stdout,
        "ok: 1 file valid (1 customer, 1 subscription, 3 items); 6 skipped (not manifests)\n"
    );
    for f in skipped {
        let line = format!("skipped (not a reservoir manifest): ./{f}");
        assert!(stderr.contains(&line), "{line} in\n{stderr}");
    }
}

#[test]
fn plan_at_a_gitops_root_plans_the_manifest_and_skips_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    gitops_tree(dir.path());
    let out = reservoir(dir.path())
        .args(["plan", ".", "--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("note: skipped 6 YAML file(s) that are not reservoir manifests"),
        "{stderr}"
    );
    let plan: Value = serde_json::from_slice(&out.stdout).expect("plan JSON");
    let text = plan.to_string();
    assert!(text.contains("batch-tier"), "{text}");
    assert!(!text.contains("ConfigMap"), "{text}");
}

#[test]
fn a_folder_of_only_other_yaml_is_an_error_not_an_empty_plan() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "k8s/configmap.yaml", CONFIGMAP);
    let out = reservoir(dir.path())
        .args(["validate", "k8s"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("no reservoir manifest among the 1 YAML file(s) read"),
        "{stderr}"
    );
}

#[test]
fn validate_at_the_root_of_this_repository_succeeds() {
    let out = reservoir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .args(["validate", "."])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

#[test]
fn validate_json_reports_diagnostics_and_skipped_files() {
    let dir = tempfile::tempdir().unwrap();
    gitops_tree(dir.path());
    write(
        dir.path(),
        "reservations/typo.yaml",
        "version: 1\ncustomers:\n  - id: 7d2a9c61-4e8b-4f3a-b1c5-6e0d2f8a9b02\n    subscriptions:\n      - id: b4d6f8a0-2c4e-4f6a-8b0c-1d3e5f7a9b12\n        kind: azure-plan\n        reservations:\n          - name: db\n            type: vm\n            sku: Standard_D2s_v5\n            region: East US\n            quantity: 1\n",
    );
    let out = reservoir(dir.path())
        .args(["validate", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("validate JSON");
    assert_eq!(v["format_version"], 1);
    assert_eq!(v["valid"], false);
    assert_eq!(v["summary"]["errors"], 1);
    assert_eq!(v["skipped"].as_array().unwrap().len(), 6, "{v:#}");
    assert_eq!(
        v["skipped"][0]["path"],
        "./charts/app/templates/service.yaml"
    );
    assert!(
        v["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("customers")
    );
    assert_eq!(v["files"].as_array().unwrap().len(), 2, "{v:#}");
    let d = &v["diagnostics"][0];
    assert_eq!(d["severity"], "error");
    assert_eq!(d["file"], "./reservations/typo.yaml");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(11), Some(21))
    );
    assert_eq!(d["message"], "region \"East US\" is not an ARM region name");
    assert_eq!(
        d["hint"],
        "ARM region names are lower case, without spaces: did you mean \"eastus\"?"
    );

    std::fs::remove_file(dir.path().join("reservations/typo.yaml")).unwrap();
    let out = reservoir(dir.path())
        .args(["validate", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).expect("validate JSON");
    assert_eq!(v["valid"], true);
    assert_eq!(
        v["summary"]["items"], 3,
        "examples/contoso.yaml: two reservations and a savings plan"
    );
    assert_eq!(v["diagnostics"], Value::Array(vec![]));
}

#[cfg(unix)]
#[test]
fn symlinked_folders_are_read_and_broken_links_are_named() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let contoso = std::fs::read_to_string("examples/contoso.yaml").unwrap();
    write(root, "shared/contoso.yaml", &contoso);
    std::fs::create_dir_all(root.join("repo")).unwrap();
    symlink(root.join("shared"), root.join("repo/customers")).unwrap();
    symlink(root.join("gone.yaml"), root.join("repo/old.yaml")).unwrap();
    symlink(root.join("repo"), root.join("repo/loop")).unwrap();
    let out = reservoir(root).args(["validate", "repo"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("ok: 1 file valid (1 customer"),
        "symlinked folder followed"
    );
    assert!(stderr.contains("dangling symlink"), "{stderr}");
    assert!(stderr.contains("repo/old.yaml"), "{stderr}");
    assert!(stderr.contains("symlink loop: \"repo/loop\""), "{stderr}");
}
