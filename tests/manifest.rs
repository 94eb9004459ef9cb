//! Integration tests for manifests: the invalid-manifest corpus (snapshots of every diagnostic),
//! the examples, loading semantics, the checked-in JSON Schema, round-trips of the model, and the
//! `validate` / `schema` commands driven through the real binary.

#[path = "manifest/cli.rs"]
mod cli;
#[path = "manifest/corpus.rs"]
mod corpus;
#[path = "manifest/examples.rs"]
mod examples;
#[path = "manifest/gitops.rs"]
mod gitops;
#[path = "manifest/load.rs"]
mod load;
#[path = "manifest/roundtrip.rs"]
mod roundtrip;
#[path = "manifest/schema.rs"]
mod schema;
