//! Catalog resolution and holdings against a scripted Partner Center (library level): which
//! availability a declared item buys when the catalog lists several (issue 11 item 6), and
//! malformed entitlements (item 4).

#[allow(dead_code)]
#[path = "client/mock.rs"]
mod mock;

#[path = "catalog/malformed.rs"]
mod malformed;
#[path = "catalog/segment.rs"]
mod segment;
