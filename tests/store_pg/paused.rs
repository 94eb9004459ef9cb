//! Fencing through the real binary: a runner paused (SIGSTOP) past its lease while another
//! runner takes the customer over writes nothing and buys nothing once it is continued. The lease
//! is shortened with the hidden `RESERVOIR_TEST_LEASE_SECS` knob so the test takes seconds.

use super::common::*;
use crate::apply::support::*;
use serde_json::json;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `reservoir --state <url> apply <dir> --auto-approve`, spawned, with `envs` set.
fn spawn_apply(sb: &Sandbox, url: &str, dir: &std::path::Path, envs: &[(&str, &str)]) -> Child {
    let mut cmd = sb.std_command(false);
    cmd.arg("--state")
        .arg(url)
        .arg("apply")
        .arg(dir)
        .arg("--auto-approve")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.spawn().expect("spawn apply")
}

fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .expect("kill")
        .success();
    assert!(ok, "kill {sig}");
}

/// The epochs of the journal records of `kind` (none while the schema is not created yet).
async fn records(url: &str, kind: &str) -> Vec<i64> {
    let c = client(url).await;
    c.query(
        "SELECT epoch FROM reservoir_journal WHERE record->>'type' = $1 ORDER BY id",
        &[&kind],
    )
    .await
    .unwrap_or_default()
    .iter()
    .map(|r| r.get::<_, Option<i64>>(0).unwrap_or(-1))
    .collect()
}

fn output(child: Child) -> (Option<i32>, String) {
    let out = child.wait_with_output().expect("wait");
    let text = format!(
        "--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

#[cfg(unix)]
#[test]
fn a_runner_paused_past_its_lease_writes_nothing_and_buys_nothing_after_another_took_over() {
    let Some(server) = server() else { return };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let url = rt.block_on(fresh_database(&server));
    let sb = Sandbox::start();
    let dir = sb.manifest(CONTOSO_YAML);
    // Runner A's cart creation hangs: A holds the lease and has journalled its intent when it
    // is paused; the answer waits for it while it is stopped.
    sb.fault(json!({
        "method": "POST", "path": "*/carts", "kind": "hang", "hangMs": 4000, "count": 1
    }));
    let a = spawn_apply(&sb, &url, &dir, &[("RESERVOIR_TEST_LEASE_SECS", "2")]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while rt.block_on(records(&url, "intent")).is_empty() {
        assert!(Instant::now() < deadline, "runner A never wrote its intent");
        std::thread::sleep(Duration::from_millis(50));
    }
    signal(&a, "-STOP");
    // Past A's 2 s lease: B takes the customer over, resumes A's journalled intent and buys.
    std::thread::sleep(Duration::from_secs(3));
    let b = spawn_apply(&sb, &url, &dir, &[]);
    let (b_code, b_text) = output(b);
    assert_eq!(b_code, Some(0), "runner B: {b_text}");
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS, "B bought: {b_text}");
    let orders_after_b = sb.orders().len();
    let written_after_b = rt.block_on(async {
        client(&url)
            .await
            .query_one("SELECT count(*) FROM reservoir_journal", &[])
            .await
            .expect("count")
            .get::<_, i64>(0)
    });

    signal(&a, "-CONT");
    let (a_code, a_text) = output(a);
    assert_ne!(
        a_code,
        Some(0),
        "runner A reports that it lost its lock: {a_text}"
    );
    assert!(
        a_text.contains("fenced out") && a_text.contains("no longer holds the customer's lock"),
        "runner A says why it stopped: {a_text}"
    );
    assert_eq!(
        sb.orders().len(),
        orders_after_b,
        "A placed no order: {a_text}"
    );
    assert_eq!(
        sb.units(CONTOSO),
        CONTOSO_NEW_UNITS,
        "A bought nothing more"
    );
    let written = rt.block_on(async {
        client(&url)
            .await
            .query_one("SELECT count(*) FROM reservoir_journal", &[])
            .await
            .expect("count")
            .get::<_, i64>(0)
    });
    assert_eq!(
        written, written_after_b,
        "A wrote nothing to the journal after B took over: {a_text}"
    );
}
