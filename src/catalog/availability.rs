//! Choosing the availability to buy for a SKU: the customer's segment, purchasable, with the
//! term asked for — and exactly one of them. Partner Center lists one availability per segment
//! (`commercial`, `education`, `government`, `nonprofit`; §6.6) and does not promise an order,
//! so the first match is never taken on trust: several candidates block the item.

use crate::partner_center::wire::Availability;

/// The segment customers buy in. The customer resource (`GET /v1/customers/{id}`,
/// partner-center-api.md §4.1) documents no segment field, so every customer is commercial;
/// catalog reads send it as `targetSegment` and the answer is filtered by it again.
pub const CUSTOMER_SEGMENT: &str = "commercial";

/// Why no single availability could be chosen although some matched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the catalog lists {} purchasable {segment} availabilities for {what} ({}); which one to buy is ambiguous",
    catalog_items.len(),
    catalog_items.join(", ")
)]
pub struct AmbiguousAvailability {
    pub segment: String,
    /// The term asked for, or `any term`.
    pub what: String,
    pub catalog_items: Vec<String>,
}

/// The availability to buy: of `segment` (an availability that states no segment is taken as
/// the one asked for with `targetSegment`), purchasable, and with a term of `duration` when one
/// is asked for. `Ok(None)` when none matches; an error when several distinct ones do.
pub(crate) fn pick_availability(
    list: &[Availability],
    segment: &str,
    duration: Option<&str>,
) -> Result<Option<Availability>, AmbiguousAvailability> {
    let mut found: Vec<&Availability> = list
        .iter()
        .filter(|a| a.is_purchasable != Some(false))
        .filter(|a| {
            a.segment
                .as_deref()
                .is_none_or(|s| s.trim().eq_ignore_ascii_case(segment))
        })
        .filter(|a| {
            duration.is_none_or(|d| {
                a.terms.iter().any(|t| {
                    t.duration
                        .as_deref()
                        .is_some_and(|x| x.eq_ignore_ascii_case(d))
                })
            })
        })
        .collect();
    // The same availability listed twice (e.g. on two pages) is one candidate.
    found.sort_by(|a, b| a.id.cmp(&b.id));
    found.dedup_by(|a, b| a.id == b.id && a.catalog_item_id == b.catalog_item_id);
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some((*one).clone())),
        many => Err(AmbiguousAvailability {
            segment: segment.to_owned(),
            what: duration.unwrap_or("any term").to_owned(),
            catalog_items: many
                .iter()
                .map(|a| {
                    if a.catalog_item_id.is_empty() {
                        a.id.clone()
                    } else {
                        a.catalog_item_id.clone()
                    }
                })
                .collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn availability(id: &str, segment: &str, duration: &str) -> Availability {
        serde_json::from_value(json!({
            "id": id, "productId": "DZH318Z0BQ3Q", "skuId": "0001",
            "catalogItemId": format!("DZH318Z0BQ3Q:0001:{id}"),
            "defaultCurrency": { "code": "USD", "symbol": "$" },
            "segment": segment, "country": "US", "isPurchasable": true, "isRenewable": false,
            "terms": [{ "duration": duration, "description": "1 Year Prepaid", "billingCycle": "one_time" }],
        }))
        .expect("availability json")
    }

    #[test]
    fn picks_the_availability_whose_term_matches() {
        let list = vec![
            availability("A1", "commercial", "P1Y"),
            availability("A3", "commercial", "P3Y"),
        ];
        let pick = |d| pick_availability(&list, "commercial", d).map(|a| a.map(|a| a.id));
        assert_eq!(pick(Some("P3Y")), Ok(Some("A3".into())));
        assert_eq!(pick(Some("P1M")), Ok(None));
    }

    /// Issue 11 item 6: the documented list in reverse order put the education availability
    /// first, and a commercial customer was sold it.
    #[test]
    fn the_customer_segment_is_chosen_whatever_the_order() {
        let mut list = vec![
            availability("DZH318XZXVNF", "commercial", "P1Y"),
            availability("EDU0000000001", "education", "P1Y"),
            availability("GOV0000000001", "government", "P1Y"),
        ];
        list.reverse();
        let got = pick_availability(&list, "commercial", Some("P1Y")).expect("one");
        assert_eq!(got.map(|a| a.id), Some("DZH318XZXVNF".into()));
        let got = pick_availability(&list, "Commercial", None).expect("one");
        assert_eq!(got.map(|a| a.id), Some("DZH318XZXVNF".into()));
        assert_eq!(
            pick_availability(&list[..2], "commercial", Some("P1Y")),
            Ok(None),
            "education and government only: nothing for a commercial customer"
        );
    }

    #[test]
    fn several_availabilities_of_the_segment_are_ambiguous() {
        let list = vec![
            availability("B", "commercial", "P1Y"),
            availability("A", "commercial", "P1Y"),
            availability("A", "commercial", "P1Y"),
        ];
        let err = pick_availability(&list, "commercial", Some("P1Y")).expect_err("ambiguous");
        assert_eq!(
            err.catalog_items,
            vec!["DZH318Z0BQ3Q:0001:A", "DZH318Z0BQ3Q:0001:B"],
            "the same availability twice counts once"
        );
        assert!(err.to_string().contains("ambiguous"), "{err}");
        assert_eq!(
            pick_availability(&list[1..], "commercial", Some("P1Y")).map(|a| a.map(|a| a.id)),
            Ok(Some("A".into()))
        );
    }
}
