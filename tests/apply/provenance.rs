//! Provenance (issue 15 items 1–2): plan and apply name the endpoint and partner tenant and say
//! plainly that a sandbox buys nothing real; a saved plan records endpoint, tenant, manifest hash
//! and commit; `apply --plan` refuses a plan made against another endpoint or tenant.

use super::support::*;
use serde_json::Value;

const TENANT: &str = "5e1c0a42-7f3b-4d9e-8c21-000000000001";

fn save_plan(sb: &Sandbox) -> (std::path::PathBuf, Value) {
    let out = sb.dir.path().join("plan.json");
    let dir = sb.manifest(CONTOSO_YAML);
    let mut cmd = sb.command(false);
    cmd.env("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567")
        .arg("plan")
        .arg(dir)
        .arg("--out")
        .arg(&out);
    let run = sb.run(cmd);
    assert_eq!(run.code, Some(0), "{}", run.all());
    assert!(
        run.stdout.contains(&format!(
            "Endpoint: {}/ · partner tenant {TENANT} · commit 0123456789ab · sandbox: nothing \
             real is bought",
            sb.url
        )),
        "{}",
        run.all()
    );
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("read")).expect("json");
    (out, v)
}

fn apply_saved(sb: &Sandbox, plan: &std::path::Path) -> Run {
    let mut cmd = sb.command(false);
    cmd.arg("apply")
        .arg("--plan")
        .arg(plan)
        .arg("--auto-approve");
    sb.run(cmd)
}

#[test]
fn a_saved_plan_records_endpoint_tenant_manifest_hash_and_commit() {
    let sb = Sandbox::start();
    let (_, v) = save_plan(&sb);
    let p = &v["provenance"];
    assert_eq!(p["endpoint"], format!("{}/", sb.url));
    assert_eq!(p["sandbox"], true);
    assert_eq!(p["partner_tenant"], TENANT);
    assert_eq!(p["commit"], "0123456789abcdef0123456789abcdef01234567");
    assert!(v["manifest_hash"].as_str().is_some_and(|h| h.len() == 64));
}

#[test]
fn apply_says_the_sandbox_bought_nothing_real() {
    let sb = Sandbox::start();
    let (plan, _) = save_plan(&sb);
    let run = apply_saved(&sb, &plan);
    assert_eq!(run.code, Some(0), "{}", run.all());
    let last = run.stdout.trim_end().lines().last().unwrap_or_default();
    assert!(last.starts_with("Apply: ordered 7 units"), "{}", run.all());
    assert!(
        last.ends_with("(sandbox: nothing real was bought)"),
        "{}",
        run.all()
    );
    assert!(
        run.stdout.contains(&format!("partner tenant {TENANT}")),
        "{}",
        run.all()
    );
}

#[test]
fn a_plan_for_another_tenant_is_refused_naming_both() {
    let sb = Sandbox::start();
    let (plan, mut v) = save_plan(&sb);
    v["provenance"]["partner_tenant"] = Value::from("11111111-2222-3333-4444-555555555555");
    std::fs::write(&plan, serde_json::to_string(&v).expect("json")).expect("write");
    let run = apply_saved(&sb, &plan);
    assert_eq!(run.code, Some(1), "{}", run.all());
    assert!(
        run.stderr.contains(
            "made for partner tenant 11111111-2222-3333-4444-555555555555, but these \
             credentials are for partner tenant 5e1c0a42"
        ),
        "{}",
        run.all()
    );
    assert_eq!(sb.units(CONTOSO), 0, "nothing bought");
}

#[test]
fn a_plan_for_another_endpoint_is_refused_naming_both() {
    let sb = Sandbox::start();
    let (plan, mut v) = save_plan(&sb);
    v["provenance"]["endpoint"] = Value::from("https://api.partnercenter.microsoft.com/");
    v["provenance"]["sandbox"] = Value::from(false);
    std::fs::write(&plan, serde_json::to_string(&v).expect("json")).expect("write");
    let run = apply_saved(&sb, &plan);
    assert_eq!(run.code, Some(1), "{}", run.all());
    assert!(
        run.stderr.contains(&format!(
            "made against endpoint https://api.partnercenter.microsoft.com/, but this run \
             talks to {}/",
            sb.url
        )),
        "{}",
        run.all()
    );
    assert_eq!(sb.units(CONTOSO), 0, "nothing bought");
}
