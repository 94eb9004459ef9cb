//! Two applies on the same state dir and customer: exactly once; a held lock makes the other
//! wait, then fail naming the holder.

use super::support::*;
use reservoir::store::{CustomerLock, HolderInfo};

#[test]
fn two_applies_started_together_buy_exactly_once() {
    let sb = Sandbox::start();
    let dir = sb.manifest(CONTOSO_YAML);
    let spawn = || {
        let mut cmd = sb.std_command(false);
        cmd.arg("apply")
            .arg(&dir)
            .arg("--auto-approve")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        cmd.spawn().expect("spawn")
    };
    let a = spawn();
    let b = spawn();
    let a = a.wait_with_output().expect("a");
    let b = b.wait_with_output().expect("b");
    let text = |o: &std::process::Output| {
        format!(
            "{}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    };
    assert_eq!(a.status.code(), Some(0), "{}", text(&a));
    assert_eq!(b.status.code(), Some(0), "{}", text(&b));
    assert_eq!(
        sb.units(CONTOSO),
        CONTOSO_NEW_UNITS,
        "{}\n{}",
        text(&a),
        text(&b)
    );
}

#[test]
fn a_held_lock_makes_apply_wait_then_fail_naming_the_holder() {
    let sb = Sandbox::start();
    if !sb.dir_store_only() {
        return;
    }
    let holder = HolderInfo::current("ci job 42", chrono::Utc::now());
    let lock = CustomerLock::acquire(&sb.state_dir(), CONTOSO, holder).expect("lock");
    let run = sb.apply(CONTOSO_YAML, &["--lock-timeout", "1s"]);
    assert_eq!(run.code, Some(1), "{}", run.all());
    assert!(run.stdout.contains("is locked by pid"), "{}", run.all());
    assert!(run.stdout.contains("ci job 42"), "{}", run.all());
    assert_eq!(sb.units(CONTOSO), 0, "never proceeds unlocked");
    drop(lock);
    let run = sb.apply(CONTOSO_YAML, &[]);
    assert_eq!(run.code, Some(0), "{}", run.all());
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS);
}
