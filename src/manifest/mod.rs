//! Manifests: YAML files → typed manifest → validated, normalised [`DesiredState`].
//! Owns parsing (serde-saphyr), the JSON Schema (schemars), and diagnostics with file:line:col.
//! Does no I/O beyond reading the files it is given.

pub mod desired;

pub use desired::*;
