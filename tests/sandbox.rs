//! Integration tests for the sandbox (Partner Center simulator), over raw HTTP.

#[path = "sandbox/common.rs"]
mod common;

#[path = "sandbox/auth.rs"]
mod auth;
#[path = "sandbox/billing.rs"]
mod billing;
#[path = "sandbox/catalog.rs"]
mod catalog;
#[path = "sandbox/customers.rs"]
mod customers;
#[path = "sandbox/faults.rs"]
mod faults;
#[path = "sandbox/persistence.rs"]
mod persistence;
#[path = "sandbox/purchase.rs"]
mod purchase;
