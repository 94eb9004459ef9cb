//! Which customers a view covers: `--customer ID|NAME` (repeatable) matched against the
//! partner's customer list by id or, case-insensitively, by `companyProfile.companyName`;
//! without it, every customer of the partner. When every value is a customer id, only those
//! customers are read (`GET /v1/customers/{id}`), not the partner's whole list.

use super::ViewError;
use crate::partner_center::Client;
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
pub async fn select(client: &Client, wanted: &[String]) -> Result<Vec<CustomerRef>, ViewError> {
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
                    return Err(ViewError::UnknownCustomer(w.trim().to_string()));
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
pub async fn one(client: &Client, wanted: &str) -> Result<CustomerRef, ViewError> {
    let mut v = select(client, &[wanted.to_string()]).await?;
    v.pop()
        .ok_or_else(|| ViewError::UnknownCustomer(wanted.to_string()))
}

/// The pure part of [`select`].
pub fn pick(all: &[CustomerRef], wanted: &[String]) -> Result<Vec<CustomerRef>, ViewError> {
    if wanted.is_empty() {
        return Ok(all.to_vec());
    }
    let mut out: Vec<CustomerRef> = Vec::new();
    for w in wanted {
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
            [] => return Err(ViewError::UnknownCustomer(w.to_string())),
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
    fn no_selection_means_everyone() {
        assert_eq!(pick(&all(), &[]).expect("all").len(), 2);
    }
}
