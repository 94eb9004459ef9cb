//! [`CustomerOutcome`]: what one customer's apply did — the receipt. Serializable so the CLI can
//! write it as JSON (`--receipt`) and `render` can print it.

use crate::manifest::PurchaseKey;
use serde::Serialize;

/// Defines a status enum serialized (and displayed) as the given wire strings.
macro_rules! status_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $text)] $variant),+
        }
        impl $name {
            /// The value as written in the receipt.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

status_enum! {
    /// How a subscription's registration went.
    RegistrationResult {
        Registered => "registered",
        TimedOut => "timed-out",
        Failed => "failed",
    }
}

status_enum! {
    /// What this run knows of an order.
    OrderOutcomeStatus {
        /// Placed by this run.
        Placed => "placed",
        /// A resumed intent's order, read by id.
        Confirmed => "confirmed",
        /// Read by id and found cancelled.
        Cancelled => "cancelled",
        /// Named by a checkout answer that does not add up (see [`CustomerOutcome::anomalies`]):
        /// kept pending in the journal until it is confirmed by id.
        Unconfirmed => "unconfirmed",
    }
}

status_enum! {
    /// Where a cart this run created or resumed ended.
    CartState {
        Ordered => "ordered",
        Failed => "failed",
        Abandoned => "abandoned",
        /// The cart the server returned differed from the request: abandoned, nothing bought.
        Rejected => "rejected",
        Unknown => "unknown",
    }
}

/// How a subscription's registration went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegistrationOutcome {
    pub subscription_id: String,
    pub status: RegistrationResult,
    pub detail: Option<String>,
}

/// One line of a placed order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptLine {
    pub item_name: Option<String>,
    pub key: Option<PurchaseKey>,
    pub catalog_item_id: String,
    pub quantity: u32,
    /// The plan's estimate (price sheet), when it had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimate: Option<crate::prices::money::RowMoney>,
    /// What the order line says it costs: the binding price.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_price: Option<crate::prices::money::OrderPrice>,
}

/// An order placed (or confirmed) in this run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderOutcome {
    pub order_id: String,
    pub intent_id: String,
    pub cart_id: String,
    pub checkout_request_id: Option<String>,
    pub lines: Vec<ReceiptLine>,
    pub status: OrderOutcomeStatus,
    /// True when the order finished an intent an earlier, interrupted run started (the
    /// checkout of a journalled cart): not a new purchase decision of this run.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub resumed: bool,
}

/// A cart this run created or resumed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CartOutcome {
    pub intent_id: String,
    pub cart_id: Option<String>,
    pub create_request_id: String,
    pub update_request_id: Option<String>,
    pub checkout_request_id: Option<String>,
    pub state: CartState,
}

/// A line that was not bought, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineFailure {
    pub item_name: String,
    pub key: PurchaseKey,
    pub catalog_item_id: String,
    pub quantity: u32,
    pub code: String,
    pub description: String,
}

/// Lines whose purchase may or may not have happened (a write's outcome stayed unknown). They
/// stay pending in the journal and are resumed by the next run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownOutcome {
    pub intent_id: String,
    pub step: String,
    pub lines: Vec<ReceiptLine>,
}

/// The receipt of one customer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CustomerOutcome {
    pub customer_id: String,
    pub customer_name: Option<String>,
    /// The plan hash of the intents this run wrote (or resumed).
    pub plan_hashes: Vec<String>,
    pub registrations: Vec<RegistrationOutcome>,
    pub orders: Vec<OrderOutcome>,
    pub carts: Vec<CartOutcome>,
    pub failures: Vec<LineFailure>,
    pub unknown: Vec<UnknownOutcome>,
    /// Answers from Partner Center that did not add up (a cart that differs from the request, a
    /// checkout answer without orders, an order listed twice or for another customer), in words.
    pub anomalies: Vec<String>,
    /// Set when the journal could not be read or written: the run stopped, and in-flight
    /// purchases for this customer cannot be ruled out.
    pub journal_error: Option<String>,
}

impl CustomerOutcome {
    pub fn new(customer_id: &str, customer_name: Option<&str>) -> CustomerOutcome {
        CustomerOutcome {
            customer_id: customer_id.to_owned(),
            customer_name: customer_name.map(str::to_owned),
            ..CustomerOutcome::default()
        }
    }

    /// Everything asked for was bought (or nothing was asked) and nothing is left in doubt.
    pub fn is_success(&self) -> bool {
        self.failures.is_empty()
            && self.unknown.is_empty()
            && self.anomalies.is_empty()
            && self.journal_error.is_none()
            && self
                .registrations
                .iter()
                .all(|r| r.status == RegistrationResult::Registered)
    }

    /// Whether something may have been bought that this receipt cannot confirm.
    pub fn in_doubt(&self) -> bool {
        !self.unknown.is_empty() || !self.anomalies.is_empty() || self.journal_error.is_some()
    }

    /// Whether Partner Center answered something that did not add up (a cart that differs from
    /// the request, a checkout answer that does not add up): then nothing more is bought for the
    /// customer in this run.
    pub fn distrusts_the_server(&self) -> bool {
        !self.anomalies.is_empty() || self.carts.iter().any(|c| c.state == CartState::Rejected)
    }

    /// Units in orders placed by this run (`placed` status only).
    /// Units in orders this run placed for new intents (not resumed ones).
    pub fn units_placed(&self) -> u32 {
        self.orders
            .iter()
            .filter(|o| o.status == OrderOutcomeStatus::Placed && !o.resumed)
            .flat_map(|o| &o.lines)
            .map(|l| l.quantity)
            .sum()
    }

    /// Appends another receipt of the same customer (e.g. a resume, then an apply).
    pub fn merge(&mut self, other: CustomerOutcome) {
        for h in other.plan_hashes {
            if !self.plan_hashes.contains(&h) {
                self.plan_hashes.push(h);
            }
        }
        self.registrations.extend(other.registrations);
        self.orders.extend(other.orders);
        self.carts.extend(other.carts);
        self.failures.extend(other.failures);
        self.unknown.extend(other.unknown);
        self.anomalies.extend(other.anomalies);
        if self.journal_error.is_none() {
            self.journal_error = other.journal_error;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_serialize_and_display_as_the_strings_receipts_always_carried() {
        let json = |v: &dyn erased::Json| v.json();
        assert_eq!(json(&RegistrationResult::TimedOut), "\"timed-out\"");
        assert_eq!(json(&RegistrationResult::Registered), "\"registered\"");
        assert_eq!(json(&OrderOutcomeStatus::Placed), "\"placed\"");
        assert_eq!(json(&OrderOutcomeStatus::Confirmed), "\"confirmed\"");
        assert_eq!(json(&CartState::Abandoned), "\"abandoned\"");
        assert_eq!(json(&CartState::Unknown), "\"unknown\"");
        assert_eq!(CartState::Ordered.to_string(), "ordered");
        assert_eq!(OrderOutcomeStatus::Cancelled.to_string(), "cancelled");
        assert_eq!(RegistrationResult::Failed.to_string(), "failed");
    }

    mod erased {
        pub(super) trait Json {
            fn json(&self) -> String;
        }
        impl<T: serde::Serialize> Json for T {
            fn json(&self) -> String {
                serde_json::to_string(self).expect("serializes")
            }
        }
    }
}
