//! The real binary with `--state postgres://…`: two runners at once buy exactly once, `state
//! locks` / `state unlock --force` name the holder and never print the password, and `state
//! migrate` copies a directory store.

use super::common::*;
use crate::apply::support::*;
use reservoir::store::HolderInfo;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime")
}

fn password(url: &str) -> String {
    url::Url::parse(url)
        .expect("url")
        .password()
        .unwrap_or_default()
        .to_owned()
}

/// `reservoir <args> --state <url>` against the sandbox.
fn run_with_state(sb: &Sandbox, url: &str, args: &[&str]) -> Run {
    let mut cmd = sb.command(false);
    cmd.arg("--state").arg(url).args(args);
    sb.run(cmd)
}

/// `reservoir --state <state> apply <CONTOSO manifest> --auto-approve <args>`.
fn apply_with_state(sb: &Sandbox, state: &str, args: &[&str]) -> Run {
    let dir = sb.manifest(CONTOSO_YAML);
    let mut cmd = sb.command(false);
    cmd.arg("--state")
        .arg(state)
        .arg("apply")
        .arg(dir)
        .arg("--auto-approve")
        .args(args);
    sb.run(cmd)
}

#[test]
fn two_runners_sharing_postgres_buy_exactly_once() {
    let Some(server) = server() else { return };
    let rt = rt();
    let url = rt.block_on(fresh_database(&server));
    let sb = Sandbox::start();
    let dir = sb.manifest(CONTOSO_YAML);
    let spawn = || {
        let mut cmd = sb.std_command(false);
        cmd.arg("--state")
            .arg(&url)
            .arg("apply")
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
    let (ta, tb) = (text(&a), text(&b));
    assert_eq!(a.status.code(), Some(0), "{ta}");
    assert_eq!(b.status.code(), Some(0), "{tb}");
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS, "{ta}\n{tb}");
    let pw = password(&url);
    assert!(
        !ta.contains(&pw) && !tb.contains(&pw),
        "the password is never printed"
    );
    let again = run_with_state(
        &sb,
        &url,
        &["apply", dir.to_str().expect("utf8"), "--auto-approve"],
    );
    assert_eq!(again.code, Some(0), "{}", again.all());
    assert_eq!(
        sb.units(CONTOSO),
        CONTOSO_NEW_UNITS,
        "a third run buys nothing"
    );
    // Every run took its requests from the partner's window shared in the store, under a
    // digest of endpoint and partner (`r-` and 32 hex digits: no tenant id, no credential).
    let (granted, partners): (i64, Vec<String>) = rt.block_on(async {
        let c = client(&url).await;
        let granted = c
            .query_one(
                "SELECT coalesce(sum(n), 0)::bigint FROM reservoir_rate_grants",
                &[],
            )
            .await
            .expect("grants")
            .get(0);
        let partners = c
            .query("SELECT DISTINCT partner FROM reservoir_rate_grants", &[])
            .await
            .expect("partners")
            .iter()
            .map(|r| r.get(0))
            .collect();
        (granted, partners)
    });
    let api = sb
        .requests()
        .iter()
        .filter(|r| r["category"] != "token")
        .count() as i64;
    assert!(granted >= api, "{granted} sends granted for {api} requests");
    assert_eq!(partners.len(), 1, "{partners:?}");
    assert!(
        partners[0]
            .strip_prefix("r-")
            .is_some_and(|h| h.len() == 32 && h.chars().all(|c| c.is_ascii_hexdigit())),
        "{partners:?}"
    );
}

#[test]
fn state_locks_and_force_unlock_name_the_holder_without_the_password() {
    let Some(server) = server() else { return };
    let rt = rt();
    let url = rt.block_on(fresh_database(&server));
    let sb = Sandbox::start();
    let pw = password(&url);
    let store = rt
        .block_on(reservoir::store::postgres::open(&url))
        .expect("store");
    let lease = rt
        .block_on(store.locks.try_acquire(
            CONTOSO,
            &HolderInfo::current("ci job 42", chrono::Utc::now()),
        ))
        .expect("acquire")
        .expect("free");

    let locks = run_with_state(&sb, &url, &["state", "locks"]);
    assert_eq!(locks.code, Some(0), "{}", locks.all());
    assert!(locks.stdout.contains(CONTOSO), "{}", locks.all());
    assert!(locks.stdout.contains("ci job 42"), "{}", locks.all());
    assert!(locks.stdout.contains("expires in"), "{}", locks.all());
    assert!(!locks.all().contains(&pw), "{}", locks.all());

    let apply = apply_with_state(&sb, &url, &["--lock-timeout", "1s"]);
    assert_eq!(apply.code, Some(1), "{}", apply.all());
    assert!(
        apply.stdout.contains("ci job 42"),
        "names the holder: {}",
        apply.all()
    );
    assert_eq!(sb.units(CONTOSO), 0, "never proceeds without the lease");

    let refused = run_with_state(&sb, &url, &["state", "unlock", CONTOSO]);
    assert_eq!(refused.code, Some(1), "{}", refused.all());
    assert!(refused.stderr.contains("--force"), "{}", refused.all());
    let unlocked = run_with_state(&sb, &url, &["state", "unlock", CONTOSO, "--force"]);
    assert_eq!(unlocked.code, Some(0), "{}", unlocked.all());
    assert!(
        unlocked.stdout.contains("broke the lock"),
        "{}",
        unlocked.all()
    );
    assert!(!unlocked.all().contains(&pw));

    let late = store.journal.fenced(CONTOSO, lease.epoch);
    let record = reservoir::store::Record::OrderSettled {
        at: chrono::Utc::now(),
        order_id: "late".into(),
        reason: reservoir::store::SettleReason::Entitled,
    };
    assert!(
        rt.block_on(late.append(CONTOSO, &record)).is_err(),
        "the broken holder is fenced out"
    );
    let apply = apply_with_state(&sb, &url, &[]);
    assert_eq!(apply.code, Some(0), "{}", apply.all());
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS);

    let bad = run_with_state(
        &sb,
        &url.replace("127.0.0.1", "127.0.0.1:1")
            .replacen(":1:", ":", 1),
        &["state", "locks"],
    );
    assert!(!bad.all().contains(&pw), "{}", bad.all());
}

#[test]
fn migrate_copies_a_directory_store_into_postgres() {
    let Some(server) = server() else { return };
    let rt = rt();
    let url = rt.block_on(fresh_database(&server));
    let sb = Sandbox::start();
    let apply = sb.apply(CONTOSO_YAML, &[]);
    assert_eq!(apply.code, Some(0), "{}", apply.all());
    let migrate = sb.run({
        let mut cmd = sb.command(false);
        cmd.args(["state", "migrate", "--to", &url]);
        cmd
    });
    assert_eq!(migrate.code, Some(0), "{}", migrate.all());
    assert!(
        migrate.stdout.contains("1 customer(s)"),
        "{}",
        migrate.all()
    );
    assert!(!migrate.all().contains(&password(&url)));
    let store = rt
        .block_on(reservoir::store::postgres::open(&url))
        .expect("store");
    let here = rt
        .block_on(store.journal.read(CONTOSO))
        .expect("read")
        .records;
    let there = rt
        .block_on(
            reservoir::store::Journal::open(&sb.state_dir())
                .expect("dir")
                .read(CONTOSO),
        )
        .expect("read")
        .records;
    assert_eq!(here, there, "every record copied, in order");
    let twice = sb.run({
        let mut cmd = sb.command(false);
        cmd.args(["state", "migrate", "--to", &url]);
        cmd
    });
    assert_eq!(
        twice.code,
        Some(1),
        "copying twice is refused: {}",
        twice.all()
    );
}
