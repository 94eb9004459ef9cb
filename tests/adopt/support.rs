//! The adoption area's part of the harness: sandboxes whose orders are fulfilled at once (import
//! declares what is owned) and whose runs are told no other runner bought for their customers,
//! and the YAML files of a folder. The sandbox and the binary come from the shared
//! [`crate::support`].

pub(crate) use crate::support::Sandbox;
use reservoir::sandbox::{Knobs, WorldSource};
use std::path::Path;

impl Sandbox {
    /// The demo world, for import.
    pub(crate) fn for_import() -> Sandbox {
        Sandbox::importing(WorldSource::Demo)
    }

    /// A generated world of `customers` customers, for import.
    pub(crate) fn generated_for_import(customers: usize, seed: u64) -> Sandbox {
        Sandbox::importing(WorldSource::Generated { customers, seed })
    }

    fn importing(world: WorldSource) -> Sandbox {
        Sandbox::builder()
            .world(world)
            .knobs(Knobs {
                registration_delay_secs: 0,
                order_list_delay_secs: 0,
                // Import declares what is owned: orders become entitlements at once here.
                fulfillment_delay_secs: 0,
                ..Knobs::default()
            })
            // Each test owns its sandbox: no other run bought for its customers.
            .env("RESERVOIR_FRESH_STATE", "1")
            .start()
    }
}

/// The text of every `*.yaml` file of `dir`, by file name.
pub(crate) fn files(dir: &Path) -> std::collections::BTreeMap<String, String> {
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
