//! Adoption end to end: `reservoir import` and `reservoir catalog search`, the real binary against
//! a sandbox served from the test process.

#[path = "adopt/support.rs"]
mod support;

#[path = "adopt/import.rs"]
mod import;
