//! Safety rails: confirmation, unit guardrails, expired and stale saved plans.

use super::support::*;
use serde_json::Value;

#[test]
fn without_auto_approve_and_no_terminal_apply_refuses_and_buys_nothing() {
    let sb = Sandbox::start();
    let dir = sb.manifest(CONTOSO_YAML);
    let mut cmd = sb.command(false);
    cmd.arg("apply").arg(dir).write_stdin("yes\n");
    let run = sb.run(cmd);
    assert_eq!(run.code, Some(1), "{}", run.all());
    assert!(
        run.stderr.contains("stdin is not a terminal"),
        "{}",
        run.all()
    );
    assert!(run.stderr.contains("--auto-approve"), "{}", run.all());
    assert!(
        run.stdout.contains("purchase 4 × batch-tier"),
        "the plan is shown first"
    );
    assert_eq!(sb.units(CONTOSO), 0);
}

#[test]
fn max_units_refuses_a_run_that_would_buy_more() {
    let sb = Sandbox::start();
    let run = sb.apply(CONTOSO_YAML, &["--max-units", "6"]);
    assert_eq!(run.code, Some(1), "{}", run.all());
    assert!(
        run.stderr
            .contains("would buy 7 units, more than --max-units (6)"),
        "{}",
        run.all()
    );
    assert!(
        run.stdout.contains("more than --max-units (6)"),
        "the plan is shown with the rows the limit blocks: {}",
        run.all()
    );
    assert_eq!(sb.units(CONTOSO), 0);
    let ok = sb.apply(CONTOSO_YAML, &["--max-units", "7"]);
    assert_eq!(ok.code, Some(0), "{}", ok.all());
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS);
}

#[test]
fn manifest_limit_max_units_per_apply_refuses_too() {
    let sb = Sandbox::start();
    let yaml = CONTOSO_YAML.replace(
        "version: 1\n",
        "version: 1\nlimits:\n  max_units_per_apply: 5\n",
    );
    let run = sb.apply(&yaml, &[]);
    assert_eq!(run.code, Some(1), "{}", run.all());
    assert!(
        run.stderr.contains("limits.max_units_per_apply (5)"),
        "{}",
        run.all()
    );
    assert_eq!(sb.units(CONTOSO), 0);
}

fn save_plan(sb: &Sandbox, yaml: &str) -> std::path::PathBuf {
    let out = sb.dir.path().join("plan.json");
    let run = sb.plan(yaml, &["--out", out.to_str().expect("utf-8")]);
    assert_eq!(run.code, Some(0), "{}", run.all());
    out
}

fn apply_saved(sb: &Sandbox, plan: &std::path::Path) -> Run {
    let mut cmd = sb.command(false);
    cmd.arg("apply")
        .arg(sb.dir.path().join("manifests"))
        .arg("--plan")
        .arg(plan)
        .arg("--auto-approve");
    sb.run(cmd)
}

#[test]
fn a_saved_plan_is_applied_as_saved() {
    let sb = Sandbox::start();
    let plan = save_plan(&sb, CONTOSO_YAML);
    let run = apply_saved(&sb, &plan);
    assert_eq!(run.code, Some(0), "{}", run.all());
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS);
}

#[test]
fn an_expired_saved_plan_is_refused_with_a_readable_reason() {
    let sb = Sandbox::start();
    let plan = save_plan(&sb, CONTOSO_YAML);
    let mut v: Value =
        serde_json::from_str(&std::fs::read_to_string(&plan).expect("read")).expect("json");
    v["expires_at"] = Value::from("2020-01-01T00:00:00Z");
    std::fs::write(&plan, serde_json::to_string(&v).expect("json")).expect("write");
    let run = apply_saved(&sb, &plan);
    assert_eq!(run.code, Some(1), "{}", run.all());
    assert!(
        run.stderr
            .contains("the saved plan expired at 2020-01-01 00:00:00 UTC"),
        "{}",
        run.all()
    );
    assert!(run.stderr.contains("run plan again"), "{}", run.all());
    assert_eq!(sb.units(CONTOSO), 0);
}

#[test]
fn a_stale_saved_plan_is_refused_naming_the_row_and_the_change() {
    let sb = Sandbox::start();
    // The meanwhile purchase is owned at once (the sandbox default keeps orders pending).
    sb.knobs(serde_json::json!({"fulfillmentDelaySecs": 0}));
    let plan = save_plan(&sb, CONTOSO_YAML);
    // Someone buys 3 of the 4 batch-tier units meanwhile (e.g. through the portal).
    let smaller = CONTOSO_YAML.replace("quantity: 4", "quantity: 3");
    let bought = sb.apply(&smaller, &[]);
    assert_eq!(bought.code, Some(0), "{}", bought.all());
    let before = sb.units(CONTOSO);

    sb.manifest(CONTOSO_YAML);
    let run = apply_saved(&sb, &plan);
    assert_eq!(run.code, Some(1), "{}", run.all());
    assert!(run.stderr.contains("no longer holds"), "{}", run.all());
    assert!(run.stderr.contains("batch-tier"), "{}", run.all());
    assert!(run.stderr.contains("owned 0 → 3"), "{}", run.all());
    assert_eq!(sb.units(CONTOSO), before, "nothing bought on a stale plan");
}

#[test]
fn a_saved_plan_for_other_manifests_is_refused() {
    let sb = Sandbox::start();
    let plan = save_plan(&sb, CONTOSO_YAML);
    sb.manifest(&CONTOSO_YAML.replace("quantity: 4", "quantity: 5"));
    let run = apply_saved(&sb, &plan);
    assert_eq!(run.code, Some(1), "{}", run.all());
    assert!(
        run.stderr.contains("the manifests changed"),
        "{}",
        run.all()
    );
    assert_eq!(sb.units(CONTOSO), 0);
}

/// A copy of `examples/` without its `blocked_ok` acknowledgements: its two blocked items fail.
fn unacknowledged_examples(sb: &Sandbox) -> std::path::PathBuf {
    fn copy(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).expect("mkdir");
        for entry in std::fs::read_dir(from).expect("read examples") {
            let path = entry.expect("entry").path();
            let target = to.join(path.file_name().expect("name"));
            if path.is_dir() {
                copy(&path, &target);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                let text = std::fs::read_to_string(&path).expect("read");
                let kept: Vec<&str> = text
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("blocked_ok:"))
                    .collect();
                std::fs::write(&target, kept.join("\n")).expect("write");
            }
        }
    }
    let to = sb.dir.path().join("examples");
    copy(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples"),
        &to,
    );
    to
}

#[test]
fn a_saved_plan_is_applied_without_the_manifests_and_never_buys_what_it_blocked() {
    let sb = Sandbox::start();
    let examples = unacknowledged_examples(&sb);
    let out = sb.dir.path().join("plan.json");
    let mut cmd = sb.command(false);
    cmd.arg("plan")
        .arg(&examples)
        .args(["--out", out.to_str().expect("utf-8")]);
    let plan = sb.run(cmd);
    assert_eq!(
        plan.code,
        Some(1),
        "blocked rows in the examples: {}",
        plan.all()
    );
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("read")).expect("json");
    let to_buy = saved["summary"]["to_buy"].as_u64().expect("to_buy");

    let mut cmd = sb.command(false);
    cmd.current_dir(sb.dir.path())
        .arg("apply")
        .arg("--plan")
        .arg(&out)
        .arg("--auto-approve");
    let run = sb.run(cmd);
    assert_eq!(
        run.code,
        Some(1),
        "blocked items make the exit 1: {}",
        run.all()
    );
    assert!(run.stdout.contains("blocked: tailspin"), "{}", run.all());
    // The plan shown before buying already says what will not be bought, and why.
    let shown = run.stdout.split("\ntailspin: ").next().unwrap_or_default();
    assert!(
        shown.contains("Blocked in the saved plan")
            && shown.contains("tailspin / 0a1c3e5f-7b9d-4e1f-9d3a-6c8d0e2f4a17 / baseline: customer tailspin is in RU"),
        "{}",
        run.all()
    );
    let ordered: u64 = sb
        .orders()
        .iter()
        .flat_map(|o| o["lines"].as_array().cloned().unwrap_or_default())
        .map(|l| l["quantity"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(
        ordered,
        to_buy,
        "exactly what the saved plan said: {}",
        run.all()
    );

    let mut cmd = sb.command(false);
    cmd.arg("plan").arg(&examples);
    let after = sb.run(cmd);
    assert!(
        after.stdout.contains("Plan: buy nothing"),
        "{}",
        after.all()
    );
}

#[test]
fn a_saved_plan_still_holds_when_only_availability_ids_rotated() {
    let sb = Sandbox::start();
    let plan = save_plan(&sb, CONTOSO_YAML);
    sb.rotate_availabilities();
    let run = apply_saved(&sb, &plan);
    assert_eq!(run.code, Some(0), "{}", run.all());
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS);
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(&plan).expect("read")).expect("json");
    let saved_ids: Vec<String> = saved["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["resolved"]["catalog_item_id"].as_str().map(str::to_owned))
        .collect();
    for o in sb.orders() {
        for l in o["lines"].as_array().cloned().unwrap_or_default() {
            let id = l["catalogItemId"].as_str().unwrap_or_default().to_owned();
            assert!(
                !saved_ids.contains(&id),
                "bought with a fresh catalog item id, not {id}"
            );
        }
    }
}

/// Runs `reservoir apply` on a pseudo-terminal (through `script`), answering `answer`.
fn apply_on_a_terminal(sb: &Sandbox, answer: &str) -> Option<Run> {
    let script = std::path::Path::new("/usr/bin/script");
    if !script.exists() {
        return None;
    }
    let dir = sb.manifest(CONTOSO_YAML);
    let template = sb.command(false);
    let mut line = format!("{}", assert_cmd::cargo::cargo_bin("reservoir").display());
    for a in template.get_args() {
        line.push_str(&format!(" '{}'", a.to_string_lossy()));
    }
    line.push_str(&format!(" apply '{}'", dir.display()));
    let mut cmd = assert_cmd::Command::new(script);
    for (k, v) in template.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    cmd.args(["-qec", &line, "/dev/null"])
        .write_stdin(format!("{answer}\n"));
    Some(sb.run(cmd))
}

#[test]
fn on_a_terminal_only_yes_approves() {
    let sb = Sandbox::start();
    let Some(no) = apply_on_a_terminal(&sb, "y") else {
        return; // no `script` to make a terminal with
    };
    assert_eq!(no.code, Some(1), "{}", no.all());
    assert!(
        no.stdout.contains("Only 'yes' will be accepted"),
        "{}",
        no.all()
    );
    assert!(
        no.stdout.contains("apply cancelled; nothing was done"),
        "{}",
        no.all()
    );
    assert_eq!(sb.units(CONTOSO), 0);
    let yes = apply_on_a_terminal(&sb, "yes").expect("script");
    assert_eq!(yes.code, Some(0), "{}", yes.all());
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS);
}
