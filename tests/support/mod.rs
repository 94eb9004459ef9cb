//! The shared test harness of every area (one copy, used by the integration binary and the kill
//! tests):
//!
//! * [`binary`]: the real `reservoir` binary with a clean environment, and what a run gave;
//! * [`sandbox`]: a sandbox served from the test process on its own runtime, the binary pointed
//!   at it (`Sandbox::std_command`), temp state dirs, admin-API shortcuts;
//! * [`creds`]: the sandbox's credentials and library clients against it;
//! * [`admin`]: the sandbox admin API (`/_sandbox/…`) from async tests;
//! * [`postgres`]: fresh databases for the PostgreSQL state store (`RESERVOIR_TEST_STATE`,
//!   `RESERVOIR_TEST_POSTGRES`);
//! * [`world`]: the ids of the demo world.
//!
//! Areas keep only what is theirs (manifests, fakes, mock servers); area-specific sandbox
//! shortcuts are `impl Sandbox` blocks in the area's own support file.

pub(crate) mod admin;
pub(crate) mod binary;
pub(crate) mod creds;
pub(crate) mod postgres;
pub(crate) mod sandbox;
pub(crate) mod world;

pub(crate) use binary::{Run, flat, reservoir, row, run};
pub(crate) use sandbox::Sandbox;
