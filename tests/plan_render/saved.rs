//! Saved plans: write, read back, render the same as the live plan; `reservoir show`.

use super::fixture;
use assert_cmd::Command;
use chrono::{Duration, TimeZone, Utc};
use reservoir::plan::{SavedPlan, diff};
use reservoir::render::{Format, render_plan};

fn saved_demo(expires_in: Duration) -> (SavedPlan, tempfile::TempDir, std::path::PathBuf) {
    let (d, o) = fixture::demo();
    let plan = diff(&d, &o);
    let now = Utc::now();
    let saved = SavedPlan::new(plan, now, expires_in);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("plan.json");
    reservoir::store::plan_file::write(&path, &saved).expect("write plan");
    (saved, dir, path)
}

#[test]
fn a_saved_plan_reads_back_and_renders_like_the_live_plan() {
    let (saved, _dir, path) = saved_demo(Duration::hours(4));
    let back = reservoir::store::plan_file::read(&path).expect("read plan");
    assert_eq!(back, saved);
    for f in [Format::Text, Format::Json, Format::Markdown] {
        assert_eq!(
            render_plan(&back.plan, f, false),
            render_plan(&saved.plan, f, false),
            "{f:?}"
        );
    }
    let raw: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
    assert_eq!(raw["format_version"], "1");
    assert!(raw["manifest_hash"].as_str().is_some_and(|h| h.len() == 64));
    assert!(
        raw["rows"][0]["fingerprint"]
            .as_str()
            .is_some_and(|f| f.len() == 16)
    );
    assert!(raw["created_at"].is_string() && raw["expires_at"].is_string());
}

#[test]
fn expiry_is_decided_by_the_time_given() {
    let t0 = Utc
        .with_ymd_and_hms(2026, 11, 21, 8, 0, 0)
        .single()
        .expect("time");
    let (d, o) = fixture::demo();
    let s = SavedPlan::new(diff(&d, &o), t0, Duration::hours(4));
    assert!(!s.is_expired(t0 + Duration::hours(3)));
    assert!(s.is_expired(t0 + Duration::hours(4)));
}

fn show() -> Command {
    let mut c = Command::from_std(crate::support::reservoir());
    c.env("NO_COLOR", "1");
    c
}

#[test]
fn show_renders_a_saved_plan_exactly_like_the_live_render() {
    let (saved, _dir, path) = saved_demo(Duration::hours(4));
    for (flag, f) in [
        ("text", Format::Text),
        ("json", Format::Json),
        ("markdown", Format::Markdown),
    ] {
        let out = show()
            .arg("show")
            .arg(&path)
            .args(["--format", flag])
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // `show` says first when the plan was made and when it expires; JSON is the saved file.
        let expected = match f {
            Format::Json => saved.to_json(),
            f => format!(
                "{}\n\n{}",
                saved.made_line(Utc::now()),
                render_plan(&saved.plan, f, false)
            ),
        };
        assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn show_warns_about_an_expired_plan_but_still_renders_it() {
    let (saved, _dir, path) = saved_demo(Duration::hours(-1));
    let out = show().arg("show").arg(&path).output().expect("run");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("this plan expired"));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!(
            "{}\n\n{}",
            saved.made_line(Utc::now()),
            render_plan(&saved.plan, Format::Text, false)
        )
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("Plan made "));
    assert!(String::from_utf8_lossy(&out.stdout).contains(" (expired)"));
}

#[test]
fn show_refuses_a_file_that_is_not_a_plan() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("notes.json");
    std::fs::write(&path, "{\"hello\": 1}").expect("write");
    let out = show().arg("show").arg(&path).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not a reservoir plan"), "{err}");
    assert!(out.stdout.is_empty());
}
