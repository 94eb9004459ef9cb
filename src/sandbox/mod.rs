//! The sandbox: an independent simulator of the Partner Center API (axum, loopback), used as the
//! default endpoint and as the test double. It must not import `partner_center` wire types.
//!
//! Entry points: [`start`] (any listen address and world source), [`embedded`] (the world kept in
//! a state dir), [`generate_world`] (a large synthetic world for scale tests). The admin API under
//! `/_sandbox/` is described in `routes/admin.rs`.

pub mod auth;
pub mod catalog;
mod catalog_lookup;
pub mod clock;
pub mod errors;
pub mod faults;
pub mod hostile;
pub mod http;
pub mod knobs;
pub mod markets;
pub mod pdf;
pub mod pipeline;
pub mod routes;
pub mod savings;
pub mod server;
pub mod shapes;
pub mod state;
pub mod world;

pub use errors::SandboxError;
pub use faults::{CartMismatch, CheckoutDefect, EntitlementDefect, FaultKind, FaultRule};
pub use knobs::Knobs;
pub use server::{RunningSandbox, SandboxCredentials, start};
pub use world::World;
pub use world::demo::demo_world;
pub use world::generate::generate_world;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Where the sandbox's world comes from.
#[derive(Debug, Clone)]
pub enum WorldSource {
    /// The built-in demo world (docs/demo-world.md), in memory only.
    Demo,
    /// A world file: loaded when present, created from the demo world when missing, and written
    /// back (atomically) after every state-changing request.
    File(PathBuf),
    /// A world file created from [`generate_world`] when missing (otherwise loaded as is).
    GeneratedFile {
        path: PathBuf,
        customers: usize,
        seed: u64,
    },
    /// A generated world, in memory only.
    Generated { customers: usize, seed: u64 },
}

/// Everything [`start`] needs.
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    pub listen: SocketAddr,
    pub world: WorldSource,
    pub knobs: Knobs,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        SandboxOptions {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            world: WorldSource::Demo,
            knobs: Knobs::default(),
        }
    }
}

/// Starts the sandbox on `127.0.0.1:0` with its world at `<state_dir>/sandbox/world.json`.
pub async fn embedded(state_dir: &Path) -> Result<RunningSandbox, SandboxError> {
    start(SandboxOptions {
        world: WorldSource::File(crate::store::StateDir::new(state_dir).sandbox_world()),
        ..SandboxOptions::default()
    })
    .await
}
