//! CI ergonomics of a long apply: the heartbeat off a terminal, and Ctrl-C — the first lets the
//! write in flight finish and be journalled and starts nothing new, so a re-run buys nothing
//! twice.

use super::support::{
    CONTOSO, CONTOSO_NEW_UNITS, CONTOSO_YAML, NORTHWIND, NORTHWIND_YAML, Sandbox,
};
use serde_json::json;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// contoso, then northwind (whose subscription must register first), in one manifest.
fn both_customers() -> String {
    let (_, northwind) = NORTHWIND_YAML
        .split_once("customers:\n")
        .expect("customers");
    format!("{CONTOSO_YAML}{northwind}")
}

/// True when any file under `dir` contains `needle`.
fn any_file_contains(dir: &Path, needle: &str) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let p = e.path();
        if p.is_dir() {
            any_file_contains(&p, needle)
        } else {
            std::fs::read_to_string(&p).is_ok_and(|s| s.contains(needle))
        }
    })
}

#[test]
fn off_a_terminal_apply_says_what_each_customer_waits_for() {
    let sb = Sandbox::start();
    let dir = sb.manifest(NORTHWIND_YAML);
    let mut cmd = sb.command(false);
    cmd.env("RESERVOIR_PROGRESS_INTERVAL_MS", "400")
        .arg("apply")
        .arg(dir)
        .arg("--auto-approve");
    let out = sb.run(cmd);
    assert_eq!(out.code, Some(0), "{}", out.all());
    // The registration takes the sandbox's 3 s: several heartbeats name it.
    let beats: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("still registering northwind… ") && l.ends_with("s elapsed"))
        .collect();
    assert!(beats.len() >= 2, "{}", out.all());
    assert!(!out.stdout.contains("still "), "progress stays off stdout");
    assert_eq!(sb.units(NORTHWIND), 3);

    // --quiet: no heartbeat.
    let mut cmd = sb.command(false);
    cmd.env("RESERVOIR_PROGRESS_INTERVAL_MS", "100")
        .args(["--quiet", "apply"])
        .arg(sb.manifest(NORTHWIND_YAML))
        .arg("--auto-approve");
    let out = sb.run(cmd);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(!out.stderr.contains("still "), "{}", out.all());
}

#[cfg(unix)]
#[test]
fn the_first_ctrl_c_finishes_the_checkout_in_flight_and_starts_nothing_new() {
    let sb = Sandbox::start();
    // It watches the journal's files for the checkout.
    if !sb.dir_store_only() {
        return;
    }
    let dir = sb.manifest(&both_customers());
    // The first checkout hangs 3 s and then fails with 504 without acting: it is in flight
    // when the interrupt arrives, and its resend (same request id) places the order.
    sb.fault(json!({
        "method": "POST",
        "path": "*/checkout",
        "kind": "hang",
        "hangMs": 3000,
        "count": 1
    }));
    let mut cmd = sb.std_command(false);
    cmd.args(["--parallelism", "1", "apply"])
        .arg(&dir)
        .arg("--auto-approve")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd.spawn().expect("spawn apply");
    let journal = sb.state_dir();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !any_file_contains(&journal, "checkout_started") {
        assert!(Instant::now() < deadline, "no checkout was started");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let out = child.wait_with_output().expect("apply ends");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let all = format!("--- stdout\n{stdout}\n--- stderr\n{stderr}");
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(
        stderr
            .contains("interrupt received, finishing 1 in-flight write (press again to stop now)"),
        "{all}"
    );
    assert!(stderr.contains("interrupted: "), "{all}");
    // The write in flight finished and is journalled; the other customer was not started.
    assert!(any_file_contains(&journal, "checkout_result"), "{all}");
    // Customers go one at a time (--parallelism 1): whichever went first bought all it
    // needed, the other nothing.
    let bought = (sb.units(NORTHWIND), sb.units(CONTOSO));
    assert!(
        bought == (3, 0) || bought == (0, CONTOSO_NEW_UNITS),
        "{bought:?}\n{all}"
    );
    assert!(
        stdout.contains("not started: the run was interrupted"),
        "{all}"
    );
    let first = if bought.0 > 0 { NORTHWIND } else { CONTOSO };
    let orders_of = |customer: &str| {
        sb.orders()
            .iter()
            .filter(|o| {
                o["customerId"]
                    .as_str()
                    .is_some_and(|c| c.eq_ignore_ascii_case(customer))
            })
            .count()
    };
    let first_orders = orders_of(first);

    // The re-run buys nothing twice: the order placed is known, the other customer is bought now.
    let again = sb.apply(&both_customers(), &[]);
    assert_eq!(again.code, Some(0), "{}", again.all());
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS, "{}", again.all());
    assert_eq!(sb.units(NORTHWIND), 3, "{}", again.all());
    assert_eq!(orders_of(first), first_orders, "{}", again.all());
}

#[cfg(unix)]
#[test]
fn the_first_ctrl_c_stops_waiting_for_a_registration() {
    use std::io::BufRead;
    let sb = Sandbox::start();
    sb.knobs(json!({ "registrationDelaySecs": 60 }));
    let dir = sb.manifest(NORTHWIND_YAML);
    let mut cmd = sb.std_command(false);
    cmd.env("RESERVOIR_PROGRESS_INTERVAL_MS", "200")
        .arg("apply")
        .arg(&dir)
        .arg("--auto-approve")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn apply");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !seen
        .iter()
        .any(|l: &String| l.starts_with("still registering northwind"))
    {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) => seen.push(l),
            Err(_) => panic!("no registration wait was reported: {seen:#?}"),
        }
    }
    let interrupted_at = Instant::now();
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let out = child.wait_with_output().expect("apply ends");
    // Ends long before the 60 s registration would have.
    assert!(interrupted_at.elapsed() < Duration::from_secs(20));
    reader.join().expect("reader");
    seen.extend(rx.try_iter());
    let stderr = seen.join("\n");
    let all = format!(
        "--- stdout\n{}\n--- stderr\n{stderr}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(
        stderr.contains("interrupt received, finishing 0 in-flight writes"),
        "{all}"
    );
    assert!(stderr.contains("stopped waiting for subscription"), "{all}");
    assert_eq!(sb.units(NORTHWIND), 0, "{all}");
}
