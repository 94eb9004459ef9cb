//! Integration tests for manifests: the invalid-manifest corpus (snapshots of every diagnostic),
//! the examples, loading semantics, the checked-in JSON Schema, round-trips of the model, and the
//! `validate` / `schema` commands driven through the real binary.

mod cli;
mod corpus;
mod examples;
mod gitops;
mod load;
mod roundtrip;
mod schema;
