//! The sandbox: an independent simulator of the Partner Center API (axum, loopback), used as the
//! default endpoint and as the test double. It must not import `partner_center` wire types.
