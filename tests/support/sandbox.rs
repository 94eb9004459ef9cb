//! A sandbox served from the test process, on a runtime of its own (so it survives a killed
//! `reservoir` and serves blocking tests), the real binary pointed at it, temp state dirs and
//! admin-API shortcuts.
//!
//! The state store is the state dir, unless `RESERVOIR_TEST_STATE` names a PostgreSQL server
//! (`postgres://…`): then every sandbox gets a fresh database on it and the binary runs with
//! `--state <that database>` (`.ci/run` runs the apply and kill tests a second time so). Tests that look
//! inside the state dir itself skip under PostgreSQL ([`Sandbox::dir_store_only`]).

use super::admin::Admin;
use super::binary::{self, Run};
use super::postgres::{self, STATE_ENV};
use reservoir::sandbox::{Knobs, RunningSandbox, SandboxCredentials, SandboxOptions, WorldSource};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// How to start a [`Sandbox`]: the demo world in memory with default knobs unless told.
pub(crate) struct Builder {
    world: Option<WorldSource>,
    knobs: Knobs,
    env: Vec<(String, String)>,
}

impl Builder {
    /// The world to serve; a world file is kept up to date by the sandbox.
    pub(crate) fn world(mut self, world: WorldSource) -> Builder {
        self.world = Some(world);
        self
    }

    /// A world file in the sandbox's own temp dir (`world.json`).
    pub(crate) fn world_file(self) -> Builder {
        self.world_at(Path::new("world.json"))
    }

    /// A world file at `path`, relative to the sandbox's temp dir unless absolute.
    fn world_at(mut self, path: &Path) -> Builder {
        self.world = Some(WorldSource::File(path.to_owned()));
        self
    }

    pub(crate) fn knobs(mut self, knobs: Knobs) -> Builder {
        self.knobs = knobs;
        self
    }

    /// An environment variable every run of the binary against this sandbox gets.
    pub(crate) fn env(mut self, key: &str, value: &str) -> Builder {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    pub(crate) fn start(self) -> Sandbox {
        reservoir::partner_center::install_crypto_provider();
        let dir = tempfile::tempdir().expect("tempdir");
        let world = match self.world.unwrap_or(WorldSource::Demo) {
            WorldSource::File(p) if p.is_relative() => WorldSource::File(dir.path().join(p)),
            w => w,
        };
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let sb = rt
            .block_on(reservoir::sandbox::start(SandboxOptions {
                world,
                knobs: self.knobs,
                ..SandboxOptions::default()
            }))
            .expect("sandbox starts");
        let url = sb.endpoint().as_str().trim_end_matches('/').to_owned();
        let postgres = postgres::state_server()
            .map(|server| rt.block_on(postgres::fresh_database(&server, "ra")));
        Sandbox {
            creds: sb.credentials(),
            admin: Admin::new(&url),
            rt,
            sb: Some(sb),
            url,
            dir,
            postgres,
            env: self.env,
        }
    }
}

/// A running sandbox with a temp dir for manifests and the binary's state.
pub(crate) struct Sandbox {
    rt: tokio::runtime::Runtime,
    sb: Option<RunningSandbox>,
    /// The endpoint, without a trailing `/`.
    pub(crate) url: String,
    pub(crate) dir: tempfile::TempDir,
    admin: Admin,
    creds: SandboxCredentials,
    /// The PostgreSQL store of this sandbox's runs, when `RESERVOIR_TEST_STATE` asks for one.
    pub(crate) postgres: Option<String>,
    env: Vec<(String, String)>,
}

impl Sandbox {
    pub(crate) fn builder() -> Builder {
        Builder {
            world: None,
            knobs: Knobs::default(),
            env: Vec::new(),
        }
    }

    /// The demo world, in memory, default knobs.
    pub(crate) fn start() -> Sandbox {
        Sandbox::builder().start()
    }

    /// A sandbox whose world is the embedded one of `state_dir` (for preparing it); stop it with
    /// [`Sandbox::stop`] before running the binary on the default endpoint.
    pub(crate) fn embedded_world(state_dir: &Path) -> Sandbox {
        Sandbox::builder()
            .world_at(&state_dir.join("sandbox").join("world.json"))
            .start()
    }

    /// The running sandbox (panics after [`Sandbox::stop`]).
    pub(crate) fn handle(&self) -> &RunningSandbox {
        self.sb.as_ref().expect("the sandbox is running")
    }

    /// Stops the sandbox (a world file is saved).
    pub(crate) fn stop(&mut self) {
        if let Some(sb) = self.sb.take() {
            self.rt.block_on(sb.shutdown());
        }
    }

    /// The world the sandbox holds now.
    pub(crate) fn world(&self) -> reservoir::sandbox::World {
        self.handle().world()
    }

    /// Runs a future on the harness runtime.
    pub(crate) fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    /// `<temp dir>/<p>`.
    pub(crate) fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    pub(crate) fn state_dir(&self) -> PathBuf {
        self.path("state")
    }

    /// True (with a note) when the state store is PostgreSQL: for tests that look inside the
    /// state dir itself (its files and file locks), which then skip.
    pub(crate) fn dir_store_only(&self) -> bool {
        if self.postgres.is_some() {
            eprintln!("note: {STATE_ENV} is set; skipping a test of the directory store");
            return false;
        }
        true
    }

    /// Writes `yaml` as `<folder>/m.yaml` (replacing the folder); returns the folder.
    pub(crate) fn manifest_in(&self, folder: &str, yaml: &str) -> PathBuf {
        let dir = self.path(folder);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join("m.yaml"), yaml).expect("write manifest");
        dir
    }

    /// Writes the manifest to `manifests/m.yaml` (replacing earlier ones); returns the folder.
    pub(crate) fn manifest(&self, yaml: &str) -> PathBuf {
        self.manifest_in("manifests", yaml)
    }

    /// The binary against this sandbox (App+User unless `app_only`), with a clean environment.
    pub(crate) fn command(&self, app_only: bool) -> assert_cmd::Command {
        assert_cmd::Command::from_std(self.std_command(app_only))
    }

    /// [`Sandbox::command`] as a `std::process::Command`, for runs that are spawned and
    /// signalled.
    pub(crate) fn std_command(&self, app_only: bool) -> std::process::Command {
        let c = &self.creds;
        let mut cmd = binary::reservoir();
        cmd.env("PARTNER_CENTER_TENANT_ID", &c.tenant_id)
            .env("PARTNER_CENTER_CLIENT_ID", &c.client_id)
            .env("PARTNER_CENTER_CLIENT_SECRET", &c.client_secret)
            .env("PARTNER_CENTER_AUTHORITY", &self.url)
            // Each test owns its sandbox: no other runner buys, so checkouts need not wait for
            // the activity log's lag (tests of other runners set it back).
            .env("RESERVOIR_ACTIVITY_LOG_LAG", "0s");
        if !app_only {
            cmd.env("PARTNER_CENTER_REFRESH_TOKEN", &c.refresh_token);
        }
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd.arg("--endpoint")
            .arg(&self.url)
            .arg("--state-dir")
            .arg(self.state_dir());
        if let Some(pg) = &self.postgres {
            // A killed run's lease is not released by the OS as a file lock is: a short lease
            // lets the next run take over in seconds instead of a minute.
            cmd.arg("--state")
                .arg(pg)
                .env("RESERVOIR_TEST_LEASE_SECS", "5");
        }
        cmd.args([
            "--rate-limit",
            "60000",
            "--customer-rate-limit",
            "60000",
            "--no-color",
        ]);
        cmd
    }

    /// Runs `cmd` to the end.
    pub(crate) fn run(&self, mut cmd: assert_cmd::Command) -> Run {
        let out = cmd.output().expect("the binary runs");
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// `reservoir <args>` against this sandbox, App+User.
    pub(crate) fn reservoir(&self, args: &[&str]) -> Run {
        let mut cmd = self.command(false);
        cmd.args(args);
        self.run(cmd)
    }

    /// `reservoir plan <manifest> <args>`, App+User.
    pub(crate) fn plan(&self, yaml: &str, args: &[&str]) -> Run {
        let dir = self.manifest(yaml);
        let mut cmd = self.command(false);
        cmd.arg("plan").arg(dir).args(args);
        self.run(cmd)
    }

    /// The same with app-only credentials.
    pub(crate) fn plan_app_only(&self, yaml: &str, args: &[&str]) -> Run {
        let dir = self.manifest(yaml);
        let mut cmd = self.command(true);
        cmd.arg("plan").arg(dir).args(args);
        self.run(cmd)
    }

    /// `reservoir apply <manifest> --auto-approve <args>`.
    pub(crate) fn apply(&self, yaml: &str, args: &[&str]) -> Run {
        let dir = self.manifest(yaml);
        let mut cmd = self.command(false);
        cmd.arg("apply").arg(dir).arg("--auto-approve").args(args);
        self.run(cmd)
    }

    /// A Partner Center client (App+User) against this sandbox, without rate limits.
    pub(crate) fn client(&self) -> reservoir::partner_center::Client {
        let limits = reservoir::partner_center::RateLimits::new(1_000_000, 1_000_000);
        super::creds::client(self.handle(), limits)
    }

    /// `GET /_sandbox/<path>`.
    pub(crate) fn admin_get(&self, path: &str) -> Value {
        self.rt.block_on(self.admin.get(path))
    }

    /// `POST /_sandbox/<path>` with a JSON body.
    pub(crate) fn admin_post(&self, path: &str, body: Value) -> Value {
        self.rt.block_on(self.admin.post(path, &body))
    }

    /// `POST /_sandbox/<path>` with a JSON body.
    pub(crate) fn post_admin(&self, path: &str, body: &Value) -> Value {
        self.rt.block_on(self.admin.post(path, body))
    }

    /// Every order placed since the world was created (seed orders excluded).
    pub(crate) fn orders(&self) -> Vec<Value> {
        self.rt
            .block_on(self.admin.all_orders())
            .into_iter()
            .filter(|o| o["seed"] != json!(true))
            .collect()
    }

    /// The request log since the last reset (`GET /_sandbox/requests`).
    pub(crate) fn requests(&self) -> Vec<Value> {
        self.rt.block_on(self.admin.requests())
    }

    pub(crate) fn reset_requests(&self) {
        self.rt.block_on(self.admin.reset_requests());
    }

    /// A fault rule (`POST /_sandbox/faults`).
    pub(crate) fn fault(&self, rule: Value) {
        self.admin_post("faults", rule);
    }

    pub(crate) fn clear_faults(&self) {
        self.rt.block_on(self.admin.delete("faults"));
    }

    pub(crate) fn knobs(&self, knobs: Value) {
        self.rt.block_on(self.admin.put("knobs", &knobs));
    }

    /// The world as the admin API serves it (`GET /_sandbox/world`).
    pub(crate) fn world_json(&self) -> Value {
        self.admin_get("world")
    }

    /// Replaces the world (`PUT /_sandbox/world`).
    pub(crate) fn put_world(&self, w: &Value) {
        self.rt.block_on(self.admin.put("world", w));
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.stop();
    }
}
