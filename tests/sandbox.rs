//! Integration tests for the sandbox (Partner Center simulator), over raw HTTP.

#[path = "sandbox/common.rs"]
mod common;

#[path = "sandbox/activity.rs"]
mod activity;
#[path = "sandbox/auth.rs"]
mod auth;
#[path = "sandbox/billing.rs"]
mod billing;
#[path = "sandbox/catalog.rs"]
mod catalog;
#[path = "sandbox/codes.rs"]
mod codes;
#[path = "sandbox/customers.rs"]
mod customers;
#[path = "sandbox/faults.rs"]
mod faults;
#[path = "sandbox/fidelity.rs"]
mod fidelity;
#[path = "sandbox/hostile.rs"]
mod hostile;
#[path = "sandbox/persistence.rs"]
mod persistence;
#[path = "sandbox/purchase.rs"]
mod purchase;
#[path = "sandbox/shapes.rs"]
mod shapes;
