//! Integration tests for the sandbox (Partner Center simulator), over raw HTTP.

mod common;

mod activity;
mod auth;
mod billing;
mod catalog;
mod codes;
mod customers;
mod faults;
mod fidelity;
mod hostile;
mod persistence;
mod purchase;
mod shapes;
