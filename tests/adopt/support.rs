//! Harness for the adoption tests: a sandbox served from this test process (the demo world or a
//! generated one) and the real `reservoir` binary pointed at it, with App+User credentials.

use assert_cmd::Command;
use reservoir::sandbox::{Knobs, RunningSandbox, SandboxOptions, WorldSource};
use std::path::{Path, PathBuf};

pub struct Sandbox {
    _rt: tokio::runtime::Runtime,
    sb: RunningSandbox,
    pub url: String,
    pub dir: tempfile::TempDir,
}

/// What a run of the binary gave.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", self.stdout, self.stderr))
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

impl Sandbox {
    /// The demo world.
    pub fn demo() -> Self {
        Self::start(WorldSource::Demo)
    }

    /// A generated world of `customers` customers.
    pub fn generated(customers: usize, seed: u64) -> Self {
        Self::start(WorldSource::Generated { customers, seed })
    }

    fn start(world: WorldSource) -> Self {
        reservoir::partner_center::install_crypto_provider();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let sb = rt
            .block_on(reservoir::sandbox::start(SandboxOptions {
                world,
                knobs: Knobs {
                    registration_delay_secs: 0,
                    order_list_delay_secs: 0,
                    // Import declares what is owned: orders become entitlements at once here.
                    fulfillment_delay_secs: 0,
                    ..Knobs::default()
                },
                ..SandboxOptions::default()
            }))
            .expect("sandbox starts");
        let url = sb.endpoint().as_str().trim_end_matches('/').to_owned();
        Sandbox {
            _rt: rt,
            sb,
            url,
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn world(&self) -> reservoir::sandbox::World {
        self.sb.world()
    }

    pub fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    /// Writes `yaml` as `<folder>/m.yaml` (replacing the folder) and returns the folder.
    pub fn manifest(&self, folder: &str, yaml: &str) -> PathBuf {
        let dir = self.path(folder);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join("m.yaml"), yaml).expect("write manifest");
        dir
    }

    /// `reservoir <args>` against this sandbox.
    pub fn reservoir(&self, args: &[&str]) -> Run {
        let mut cmd = Command::cargo_bin("reservoir").expect("binary");
        for (k, _) in std::env::vars() {
            if k.starts_with("PARTNER_CENTER_") || k.starts_with("RESERVOIR_") || k == "NO_COLOR" {
                cmd.env_remove(k);
            }
        }
        cmd.env(
            "PARTNER_CENTER_TENANT_ID",
            "5e1c0a42-7f3b-4d9e-8c21-000000000001",
        )
        .env(
            "PARTNER_CENTER_CLIENT_ID",
            "6f2d1b53-8a4c-4e0f-9d32-000000000002",
        )
        .env("PARTNER_CENTER_CLIENT_SECRET", "sandbox-demo-client-secret")
        .env("PARTNER_CENTER_REFRESH_TOKEN", "sandbox-demo-refresh-token")
        .env("PARTNER_CENTER_AUTHORITY", &self.url)
        // Each test owns its sandbox: no other run bought for its customers.
        .env("RESERVOIR_FRESH_STATE", "1")
        .arg("--endpoint")
        .arg(&self.url)
        .arg("--state-dir")
        .arg(self.path("state"))
        .args([
            "--rate-limit",
            "60000",
            "--customer-rate-limit",
            "60000",
            "--no-color",
        ])
        .args(args);
        let out = cmd.output().expect("runs");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// The text of every `*.yaml` file of `dir`, by file name.
pub fn files(dir: &Path) -> std::collections::BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| {
            (
                p.file_name().expect("name").to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).expect("read"),
            )
        })
        .collect()
}
