//! Catalog: product → SKU → availability resolution, inventory checks, and a per-run cache keyed
//! by (country, reservation scope, target view). Decides nothing about what to buy.
