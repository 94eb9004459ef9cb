//! Integration tests for the read-only views (`orders`, `entitlements`, `invoices`,
//! `reconcile`): the real binary against a sandbox, in every output format.

mod common;

mod entitlements;
mod invoices;
mod orders;
mod reconcile;
