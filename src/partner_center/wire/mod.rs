//! Typed wire models for Partner Center responses and requests, split by area. Every response
//! type deserializes leniently (see [`common`]); request types serialize in camelCase.

pub mod audit;
pub mod carts;
pub mod catalog;
pub mod common;
pub mod customers;
pub mod entitlements;
pub mod invoices;
pub mod orders;
pub mod savings;

pub use carts::*;
pub use catalog::*;
pub use common::{Attributes, Collection, ItemType, KeyValue, Link, Links};
pub use customers::*;
pub use entitlements::*;
pub use invoices::*;
pub use orders::*;
