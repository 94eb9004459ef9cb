//! Secrets never leave the process: end to end through the real binary, with real
//! `PARTNER_CENTER_*` credentials against a `reservoir sandbox serve` endpoint and full logging
//! (`--verbose -v`, `RESERVOIR_LOG=trace`), the client secret, the refresh token and any access
//! token (the sandbox issues them as `sbx.…`) appear in none of stdout, stderr, the saved plan,
//! the receipt or the journal — on success and on failures (a wrong secret, a rejected access
//! token, a wrong endpoint).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// The prefix of every access token the sandbox issues.
const TOKEN_PREFIX: &str = "sbx.";

/// `reservoir sandbox serve` on a free loopback port, killed on drop.
struct Served {
    child: Child,
    creds: serde_json::Value,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    fn start(state: &Path) -> Served {
        let mut child = crate::support::reservoir()
            .args(["sandbox", "serve", "--listen", "127.0.0.1:0"])
            .args(["--registration-delay", "0", "--state-dir"])
            .arg(state)
            .env_remove("RESERVOIR_ENDPOINT")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn sandbox serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the serve line");
        let creds = serde_json::from_str(&line).expect("serve prints one JSON line");
        Served { child, creds }
    }

    fn get(&self, key: &str) -> String {
        self.creds[key].as_str().expect(key).to_string()
    }

    /// A fresh access token from the sandbox's token endpoint, as any tool would get one.
    fn access_token(&self) -> String {
        let url = format!(
            "{}/{}/oauth2/token",
            self.get("authority").trim_end_matches('/'),
            self.get("tenant_id")
        );
        reservoir::partner_center::install_crypto_provider();
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        let body: serde_json::Value = rt.block_on(async {
            reqwest::Client::new()
                .post(url)
                .form(&[
                    ("grant_type", "refresh_token"),
                    ("client_id", self.get("client_id").as_str()),
                    ("client_secret", self.get("client_secret").as_str()),
                    ("refresh_token", self.get("refresh_token").as_str()),
                    ("resource", "https://api.partnercenter.microsoft.com"),
                ])
                .send()
                .await
                .expect("token call")
                .json()
                .await
                .expect("token json")
        });
        let token = body["access_token"].as_str().expect("access_token");
        assert!(
            token.starts_with(TOKEN_PREFIX),
            "sandbox token shape changed"
        );
        token.to_string()
    }
}

/// The binary with no inherited configuration or credentials, verbose, tracing everything.
fn reservoir(endpoint: &str, state: &Path) -> Command {
    let mut cmd = crate::support::reservoir();
    cmd.env("RESERVOIR_LOG", "trace")
        .args(["--endpoint", endpoint, "--state-dir"])
        .arg(state)
        .args(["--verbose", "-v", "--no-color"])
        // The sandbox is local: do not pace requests at Partner Center's 500 per minute.
        .args(["--rate-limit", "60000", "--customer-rate-limit", "60000"])
        .stdin(Stdio::null());
    cmd
}

fn with_credentials(cmd: &mut Command, served: &Served, secret: &str) {
    cmd.env("PARTNER_CENTER_AUTHORITY", served.get("authority"))
        .env("PARTNER_CENTER_TENANT_ID", served.get("tenant_id"))
        .env("PARTNER_CENTER_CLIENT_ID", served.get("client_id"))
        .env("PARTNER_CENTER_CLIENT_SECRET", secret)
        .env("PARTNER_CENTER_REFRESH_TOKEN", served.get("refresh_token"));
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// Every file below `dir` (journal, locks, caches), as text.
fn files_below(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_below(&path, out);
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.push((path, String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
}

fn assert_clean(what: &str, text: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(!s.is_empty());
        assert!(!text.contains(s), "{what} shows the secret {s:?}:\n{text}");
    }
    assert!(
        !text.contains(TOKEN_PREFIX),
        "{what} shows an access token:\n{text}"
    );
}

fn assert_run_clean(what: &str, out: &Output, secrets: &[&str]) {
    assert_clean(
        &format!("{what} stdout"),
        &String::from_utf8_lossy(&out.stdout),
        secrets,
    );
    assert_clean(
        &format!("{what} stderr"),
        &String::from_utf8_lossy(&out.stderr),
        secrets,
    );
}

#[test]
fn plan_and_apply_with_credentials_show_no_secret() {
    let dir = tempfile::tempdir().expect("tempdir");
    let served = Served::start(&dir.path().join("sandbox"));
    let endpoint = served.get("endpoint");
    let (secret, refresh) = (served.get("client_secret"), served.get("refresh_token"));
    let secrets = [secret.as_str(), refresh.as_str()];
    let state = dir.path().join("state");
    let plan_file = dir.path().join("plan.json");
    let receipt = dir.path().join("receipt.json");

    let mut plan = reservoir(&endpoint, &state);
    plan.arg("plan")
        .arg(examples())
        .arg("--out")
        .arg(&plan_file);
    with_credentials(&mut plan, &served, &secret);
    let out = plan.output().expect("run plan");
    // The examples hold two blocked items, acknowledged with `blocked_ok`: exit 0.
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("purchase"));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("partner center request"),
        "verbose logging is on, so the test looks at real log lines"
    );
    assert_run_clean("plan", &out, &secrets);
    let saved = std::fs::read_to_string(&plan_file).expect("plan saved");
    assert_clean("the saved plan", &saved, &secrets);

    let mut apply = reservoir(&endpoint, &state);
    apply
        .args(["apply", "--auto-approve", "--plan"])
        .arg(&plan_file)
        .arg("--receipt")
        .arg(&receipt);
    with_credentials(&mut apply, &served, &secret);
    let out = apply.output().expect("run apply");
    assert_eq!(
        out.status.code(),
        Some(0),
        "blocked items acknowledged: {out:?}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("placed"));
    assert_run_clean("apply", &out, &secrets);
    let receipt = std::fs::read_to_string(&receipt).expect("receipt written");
    assert!(receipt.contains("order"), "{receipt}");
    assert_clean("the receipt", &receipt, &secrets);

    let mut state_files = Vec::new();
    files_below(&state, &mut state_files);
    assert!(
        state_files
            .iter()
            .any(|(p, _)| p.to_string_lossy().contains("journal")),
        "apply wrote a journal: {state_files:?}"
    );
    for (path, text) in &state_files {
        assert_clean(&path.display().to_string(), text, &secrets);
    }
}

#[test]
fn failures_show_no_secret() {
    let dir = tempfile::tempdir().expect("tempdir");
    let served = Served::start(&dir.path().join("sandbox"));
    let endpoint = served.get("endpoint");
    let refresh = served.get("refresh_token");
    let wrong = "wrong-client-secret-7f3b4d9e";
    let good = served.get("client_secret");

    // A wrong client secret: the token endpoint answers 401.
    let mut cmd = reservoir(&endpoint, &dir.path().join("s1"));
    cmd.arg("plan").arg(examples());
    with_credentials(&mut cmd, &served, wrong);
    let out = cmd.output().expect("run plan");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("401"),
        "{out:?}"
    );
    assert_run_clean("plan with a wrong secret", &out, &[wrong, &refresh, &good]);

    // A ready access token the API rejects (401), and a valid one.
    let rejected = "sbx.0000000000000000.not-a-valid-token";
    let valid = served.access_token();
    for token in [rejected, valid.as_str()] {
        let mut cmd = reservoir(&endpoint, &dir.path().join("s2"));
        cmd.arg("plan")
            .arg(examples())
            .env("PARTNER_CENTER_ACCESS_TOKEN", token);
        let out = cmd.output().expect("run plan");
        // The valid token plans the examples, whose blocked items are acknowledged: exit 0.
        let expected = if token == rejected { 1 } else { 0 };
        assert_eq!(out.status.code(), Some(expected), "{out:?}");
        assert_run_clean("plan with an access token", &out, &[token]);
    }

    // A wrong endpoint (a path where no API lives: 404), with full credentials.
    let wrong_endpoint = format!("{endpoint}/not-partner-center");
    let mut cmd = reservoir(&wrong_endpoint, &dir.path().join("s3"));
    cmd.arg("plan").arg(examples());
    with_credentials(&mut cmd, &served, &good);
    let out = cmd.output().expect("run plan");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("404"),
        "{out:?}"
    );
    assert_run_clean("plan against a wrong endpoint", &out, &[&good, &refresh]);
}
