//! Catalog resolution and holdings against a scripted Partner Center (library level): which
//! availability a declared item buys when the catalog lists several (issue 11 item 6), and
//! malformed entitlements (item 4).

mod malformed;
mod segment;
