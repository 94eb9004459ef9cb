//! Adoption end to end: `reservoir import` and `reservoir catalog search`, the real binary against
//! a sandbox served from the test process.

mod support;

mod import;
