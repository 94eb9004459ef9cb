//! reservoir: a declarative reconciler for Azure reservations bought through the Microsoft
//! Partner Center API. See `DESIGN.md` §7 for how the modules fit together:
//!
//! manifest → desired state (items of the purchasable `kinds`, one file each);
//! partner_center (+ catalog, observe) → observed state;
//! plan::diff → plan → render; apply (+ store: journal, locks, caches) → receipt; sandbox: an
//! independent simulator.

// Only `cli::output` (the `Printer`) writes to stdout and stderr; see clippy.toml for
// `std::io::stdout`.
#![deny(clippy::print_stdout, clippy::print_stderr)]
// Items visible outside the crate are `pub`; everything else is at most `pub(crate)`.
#![warn(unreachable_pub)]

pub mod adopt;
pub mod apply;
pub mod catalog;
pub mod cli;
pub mod error_chain;
pub mod exit;
pub mod kinds;
pub mod manifest;
pub mod observe;
pub mod partner_center;
pub mod plan;
pub mod prices;
pub mod render;
pub mod sandbox;
pub mod settings;
pub mod store;
pub mod time;
pub mod views;
