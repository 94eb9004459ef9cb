//! The price column of `catalog search`: each reservation or software offer's price per unit for
//! each term, from the partner price sheet of the customer's market (read once per view; App+User
//! only). A price the sheet does not give is left out, never guessed; why is one note.

use super::search::{OfferType, SearchResult};
use crate::partner_center::Reader;
use crate::prices::{Lookup, RESERVATIONS_VIEW, SOFTWARE_VIEW, format_amount};
use std::collections::BTreeSet;

/// Fills in `price` on the offers of `result` the price sheet prices, and notes why the others
/// have none.
pub(super) async fn add_prices(reader: &Reader, result: &mut SearchResult) {
    let view = |t: OfferType| match t {
        OfferType::SavingsPlan => None,
        OfferType::Software => Some(SOFTWARE_VIEW),
        _ => Some(RESERVATIONS_VIEW),
    };
    let wanted: BTreeSet<(String, String)> = result
        .offers
        .iter()
        .filter_map(|o| view(o.offer_type))
        .map(|v| (result.country.clone(), v.to_owned()))
        .collect();
    if wanted.is_empty() {
        return;
    }
    let book = crate::prices::read::read(reader, &wanted, None, reader.clock().wall()).await;
    let mut unknown = BTreeSet::new();
    for o in &mut result.offers {
        let Some(v) = view(o.offer_type) else {
            continue;
        };
        let mut parts = Vec::new();
        for (i, sku) in o.sku_ids.iter().enumerate() {
            let term = o.terms.get(i).map(String::as_str);
            match book.lookup(&result.country, v, &o.product_id, sku, term) {
                Lookup::Found(e) => {
                    let amount = format_amount(&e.currency, e.unit_price);
                    parts.push(match term {
                        Some(t) => format!("{amount} ({t})"),
                        None => amount,
                    });
                }
                Lookup::Unknown(why) => {
                    unknown.insert(why);
                }
            }
        }
        if !parts.is_empty() {
            o.price = Some(parts.join(", "));
        }
    }
    for why in unknown {
        result
            .notes
            .push(format!("some prices are not shown: {why}"));
    }
}
