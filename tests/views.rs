//! Integration tests for the read-only views (`orders`, `entitlements`, `invoices`,
//! `reconcile`): the real binary against a sandbox, in every output format.

#[path = "views/common.rs"]
mod common;

#[path = "views/entitlements.rs"]
mod entitlements;
#[path = "views/invoices.rs"]
mod invoices;
#[path = "views/orders.rs"]
mod orders;
#[path = "views/reconcile.rs"]
mod reconcile;
