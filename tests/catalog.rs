//! Catalog resolution against a scripted Partner Center (library level): which availability a
//! declared item buys when the catalog lists several (issue 11 item 6).

#[allow(dead_code)]
#[path = "client/mock.rs"]
mod mock;

#[path = "catalog/segment.rs"]
mod segment;
