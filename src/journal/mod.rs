//! The purchase journal: durable, fsynced, append-only intent records per customer, and the
//! per-customer locks in the state dir. Knows nothing about HTTP.
