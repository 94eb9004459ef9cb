//! Which customers a view covers: `--customer ID|NAME` (repeatable) matched against the
//! partner's customer list by id or, case-insensitively, by `companyProfile.companyName`;
//! without it, every customer of the partner. When every value is a customer id, only those
//! customers are read (`GET /v1/customers/{id}`), not the partner's whole list.

use super::ViewError;
use crate::partner_center::Reader;
use crate::partner_center::wire::Customer;
use serde::Serialize;

/// A customer as the views show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerRef {
    pub id: String,
    pub name: String,
}

impl CustomerRef {
    fn from_wire(c: &Customer) -> CustomerRef {
        CustomerRef {
            id: c.id.clone(),
            name: c
                .company_profile
                .as_ref()
                .and_then(|p| p.company_name.clone())
                .unwrap_or_default(),
        }
    }
}

/// Resolves the selection against the partner's customers (in the list's order, no
/// duplicates). An empty selection means all customers.
pub async fn select(client: &Reader, wanted: &[String]) -> Result<Vec<CustomerRef>, ViewError> {
    if !wanted.is_empty()
        && wanted
            .iter()
            .all(|w| uuid::Uuid::parse_str(w.trim()).is_ok())
    {
        let mut out: Vec<CustomerRef> = Vec::new();
        for w in wanted {
            // Canonical (lower-case) spelling; the check above guarantees it parses.
            let id = uuid::Uuid::parse_str(w.trim())
                .map(|u| u.to_string())
                .unwrap_or_else(|_| w.trim().to_string());
            let c = match client.get_customer(&id).await {
                Ok(c) => c,
                Err(e) if e.is_not_found() => {
                    return Err(ViewError::UnknownCustomer {
                        wanted: w.trim().to_string(),
                        suggestion: None,
                    });
                }
                Err(e) => return Err(e.into()),
            };
            let c = CustomerRef::from_wire(&c);
            if !out.iter().any(|o| o.id.eq_ignore_ascii_case(&c.id)) {
                out.push(c);
            }
        }
        return Ok(out);
    }
    let all: Vec<CustomerRef> = client
        .list_customers(None)
        .await?
        .iter()
        .map(CustomerRef::from_wire)
        .collect();
    pick(&all, wanted)
}

/// Resolves one `ID|NAME` (for `orders show CUSTOMER …`).
pub async fn one(client: &Reader, wanted: &str) -> Result<CustomerRef, ViewError> {
    let mut v = select(client, &[wanted.to_string()]).await?;
    v.pop().ok_or_else(|| ViewError::UnknownCustomer {
        wanted: wanted.to_string(),
        suggestion: None,
    })
}

/// The `--customer` values as single selections: a value that is a known id or name (`known`)
/// stays whole, even with a comma in it ("Contoso, Ltd."); any other is split on commas. Empty
/// parts are dropped.
pub fn expand(values: &[String], known: impl Fn(&str) -> bool) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| {
            let v = v.trim();
            if known(v) {
                vec![v.to_owned()]
            } else {
                v.split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned)
                    .collect()
            }
        })
        .collect()
}

/// The candidate closest to a mistyped `wanted` (case-insensitive Jaro-Winkler similarity of at
/// least 0.8), if any.
pub fn closest<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let w = wanted.trim().to_lowercase();
    candidates
        .map(|c| (strsim::jaro_winkler(&w, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// The end of an "unknown customer" message: the suggestion, or what to give instead.
pub fn hint(suggestion: Option<&str>) -> String {
    match suggestion {
        Some(s) => format!("did you mean {s:?}?"),
        None => "give a customer id or a company name".to_owned(),
    }
}

/// The pure part of [`select`].
pub fn pick(all: &[CustomerRef], wanted: &[String]) -> Result<Vec<CustomerRef>, ViewError> {
    if wanted.is_empty() {
        return Ok(all.to_vec());
    }
    let wanted = expand(wanted, |v| {
        all.iter()
            .any(|c| c.id.eq_ignore_ascii_case(v) || c.name.to_lowercase() == v.to_lowercase())
    });
    let mut out: Vec<CustomerRef> = Vec::new();
    for w in &wanted {
        let w = w.trim();
        let by_id: Vec<&CustomerRef> = all
            .iter()
            .filter(|c| c.id.eq_ignore_ascii_case(w))
            .collect();
        let hits = if by_id.is_empty() {
            all.iter()
                .filter(|c| c.name.to_lowercase() == w.to_lowercase())
                .collect()
        } else {
            by_id
        };
        match hits.as_slice() {
            [] => {
                let names = all.iter().map(|c| c.name.as_str());
                return Err(ViewError::UnknownCustomer {
                    wanted: w.to_string(),
                    suggestion: closest(w, names).map(str::to_owned),
                });
            }
            [one] => {
                if !out.iter().any(|c| c.id == one.id) {
                    out.push((*one).clone());
                }
            }
            many => {
                return Err(ViewError::AmbiguousCustomer {
                    name: w.to_string(),
                    ids: many
                        .iter()
                        .map(|c| c.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Vec<CustomerRef> {
        vec![
            CustomerRef {
                id: "4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01".into(),
                name: "Contoso".into(),
            },
            CustomerRef {
                id: "7d2a9c61-4e8b-4f3a-b1c5-6e0d2f8a9b02".into(),
                name: "Fabrikam".into(),
            },
        ]
    }

    #[test]
    fn names_match_case_insensitively_and_ids_exactly() {
        let got = pick(
            &all(),
            &[
                "contoso".into(),
                "7D2A9C61-4E8B-4F3A-B1C5-6E0D2F8A9B02".into(),
            ],
        )
        .expect("picked");
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].name, "Fabrikam");
    }

    #[test]
    fn unknown_names_are_errors_naming_the_value() {
        let e = pick(&all(), &["initech".into()]).expect_err("unknown");
        assert!(e.to_string().contains("\"initech\""), "{e}");
    }

    #[test]
    fn a_typo_suggests_the_closest_name() {
        let e = pick(&all(), &["contso".into()]).expect_err("unknown");
        assert!(e.to_string().contains("did you mean \"Contoso\"?"), "{e}");
        assert_eq!(
            closest("fabrikm", ["Contoso", "Fabrikam"].into_iter()),
            Some("Fabrikam")
        );
        assert_eq!(
            closest("initech", ["Contoso", "Fabrikam"].into_iter()),
            None
        );
    }

    #[test]
    fn comma_separated_selections_and_names_with_commas() {
        let got = pick(&all(), &["contoso,fabrikam".into()]).expect("a list");
        assert_eq!(got.len(), 2);
        let mut ltd = all();
        ltd[0].name = "Contoso, Ltd.".into();
        let got = pick(&ltd, &["contoso, ltd.".into()]).expect("the whole name");
        assert_eq!(got.len(), 1);
        // In a list, such a name splits: the error names the part and suggests the name.
        let e = pick(&ltd, &["Fabrikam, Contoso, Ltd.".into()]).expect_err("split");
        assert!(e.to_string().contains("\"Contoso\"; did you mean"), "{e}");
    }

    #[test]
    fn no_selection_means_everyone() {
        assert_eq!(pick(&all(), &[]).expect("all").len(), 2);
    }
}
