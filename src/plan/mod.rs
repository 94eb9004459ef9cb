//! The plan model and the pure diff of desired vs observed state (no I/O, no clock).
