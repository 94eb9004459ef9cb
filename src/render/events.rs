//! The event stream of `apply --format json`: one JSON object per line, modelled on Terraform's
//! `-json` output. Every event carries `version` ([`EVENTS_VERSION`]), `type` and `timestamp`;
//! events about one customer carry `customer_id` and `customer`. Documented in `docs/events.md`.
//!
//! Types, in the order a run emits them: `plan` (the plan's summary, endpoint and tenant),
//! `refused` (the run stops before buying), `customer_started`, `registration`, `resumed`,
//! `intent_recorded`, `cart_created`, `checkout_sent`, `order_placed`, `retrying`, `failed`,
//! `waiting_for_lock`, `customer_finished`, `summary` (always last unless refused). Pure: the
//! caller passes the time and writes the lines.

use crate::apply::{ApplyEvent, ApplyReport, CustomerReport};
use crate::plan::{Plan, Provenance};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

/// The version of the event format; bumped when a field changes meaning or goes away (new
/// fields and new event types do not bump it).
pub const EVENTS_VERSION: &str = "1";

/// One event as a JSON line (no trailing newline).
fn line(kind: &str, at: DateTime<Utc>, fields: Value) -> String {
    let mut m = Map::new();
    m.insert("version".into(), EVENTS_VERSION.into());
    m.insert("type".into(), kind.into());
    m.insert(
        "timestamp".into(),
        at.to_rfc3339_opts(SecondsFormat::Millis, true).into(),
    );
    if let Value::Object(f) = fields {
        m.extend(f);
    }
    Value::Object(m).to_string()
}

fn provenance_fields(p: &Provenance) -> Value {
    json!({
        "endpoint": p.endpoint,
        "partner_tenant": p.partner_tenant,
        "sandbox": p.sandbox,
        "commit": p.commit,
    })
}

/// `plan`: what the run is about to do.
pub fn plan(plan: &Plan, at: DateTime<Utc>) -> String {
    let mut f = json!({
        "manifest_hash": plan.manifest_hash,
        "message": plan.summary.line(),
        "summary": plan.summary,
        "changes": plan.has_changes(),
    });
    if let (Some(p), Value::Object(m)) = (&plan.provenance, &mut f)
        && let Value::Object(pf) = provenance_fields(p)
    {
        m.extend(pf);
    }
    line("plan", at, f)
}

/// `refused`: the run stops before anything is bought.
pub fn refused(message: &str, at: DateTime<Utc>) -> String {
    line("refused", at, json!({ "message": message }))
}

/// The event for an engine event, or `None` for events the stream leaves out (progress detail
/// such as registration polls, torn journal tails, re-resolved items).
pub fn engine(
    customer_id: &str,
    name: &str,
    event: &ApplyEvent,
    at: DateTime<Utc>,
) -> Option<String> {
    let (kind, fields) = match event {
        ApplyEvent::CustomerStarted => ("customer_started", json!({})),
        ApplyEvent::RegistrationRequested { subscription_id } => (
            "registration",
            json!({ "subscription_id": subscription_id, "status": "requested" }),
        ),
        ApplyEvent::Registered { subscription_id } => (
            "registration",
            json!({ "subscription_id": subscription_id, "status": "registered" }),
        ),
        ApplyEvent::RegistrationFailed {
            subscription_id,
            reason,
        } => (
            "failed",
            json!({ "what": "registration", "subscription_id": subscription_id, "message": reason }),
        ),
        ApplyEvent::Resuming { intent_id, step } => {
            ("resumed", json!({ "intent_id": intent_id, "step": step }))
        }
        ApplyEvent::IntentRecorded {
            intent_id,
            lines,
            units,
        } => (
            "intent_recorded",
            json!({ "intent_id": intent_id, "lines": lines, "units": units }),
        ),
        ApplyEvent::CartCreated { intent_id, cart_id } => (
            "cart_created",
            json!({ "intent_id": intent_id, "cart_id": cart_id }),
        ),
        ApplyEvent::CheckoutSent {
            cart_id,
            request_id,
        } => (
            "checkout_sent",
            json!({ "cart_id": cart_id, "request_id": request_id }),
        ),
        ApplyEvent::OrderPlaced { order_id, units } => (
            "order_placed",
            json!({ "order_id": order_id, "units": units }),
        ),
        ApplyEvent::OrderGroupFailed {
            order_group,
            code,
            description,
        } => (
            "failed",
            json!({ "what": "order", "order_group": order_group, "code": code, "message": description }),
        ),
        ApplyEvent::CartAbandoned { intent_id, reason } => (
            "failed",
            json!({ "what": "cart", "intent_id": intent_id, "message": reason }),
        ),
        ApplyEvent::LeftUnknown {
            intent_id,
            operation,
        } => (
            "failed",
            json!({
                "what": "unknown_outcome",
                "intent_id": intent_id,
                "operation": operation,
                "message": "the outcome is unknown; the next apply resumes it",
            }),
        ),
        ApplyEvent::Retrying {
            operation,
            attempt,
            error,
        } => (
            "retrying",
            json!({ "operation": operation, "attempt": attempt, "message": error }),
        ),
        ApplyEvent::WaitingForLock { holder } => ("waiting_for_lock", json!({ "holder": holder })),
        ApplyEvent::RegistrationPolled { .. }
        | ApplyEvent::CartLinesRemoved { .. }
        | ApplyEvent::JournalTornTail { .. }
        | ApplyEvent::ItemReResolved { .. } => return None,
    };
    let mut fields = fields;
    if let Value::Object(m) = &mut fields {
        m.insert("customer_id".into(), customer_id.into());
        m.insert("customer".into(), name.into());
    }
    Some(line(kind, at, fields))
}

/// `customer_finished`: one customer's outcome (its part of the receipt).
pub fn customer_finished(c: &CustomerReport, at: DateTime<Utc>) -> String {
    let o = &c.outcome;
    let mut f = json!({
        "customer_id": o.customer_id,
        "customer": o.customer_name.as_deref().unwrap_or(&o.customer_id),
        "status": c.status,
        "orders": o.orders,
        "failures": o.failures,
        "registrations": o.registrations,
        "blocked": c.blocked,
    });
    if let (Some(e), Value::Object(m)) = (&c.error, &mut f) {
        m.insert("error".into(), e.clone().into());
    }
    line("customer_finished", at, f)
}

/// `summary`: the run's totals, the line the text output ends with, and the exit code.
pub fn summary(report: &ApplyReport, provenance: &Provenance, at: DateTime<Utc>) -> String {
    let mut f = json!({
        "message": report.summary_line(),
        "totals": report.totals,
        "plan_hash": report.plan_hash,
        "exit_code": report.exit_code(),
    });
    if let (Value::Object(m), Value::Object(pf)) = (&mut f, provenance_fields(provenance)) {
        m.extend(pf);
    }
    line("summary", at, f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_is_one_versioned_line_with_its_customer() {
        let at = DateTime::parse_from_rfc3339("2026-11-21T08:00:00Z")
            .expect("time")
            .with_timezone(&Utc);
        let l = engine(
            "c-1",
            "contoso",
            &ApplyEvent::OrderPlaced {
                order_id: "o-1".into(),
                units: 4,
            },
            at,
        )
        .expect("an event");
        assert!(!l.contains('\n'));
        let v: Value = serde_json::from_str(&l).expect("json");
        assert_eq!(v["version"], "1");
        assert_eq!(v["type"], "order_placed");
        assert_eq!(v["timestamp"], "2026-11-21T08:00:00.000Z");
        assert_eq!(v["customer_id"], "c-1");
        assert_eq!(v["customer"], "contoso");
        assert_eq!(v["units"], 4);
        let polled = ApplyEvent::RegistrationPolled {
            subscription_id: "s".into(),
            status: "Registering".into(),
            elapsed: std::time::Duration::from_secs(3),
        };
        assert_eq!(engine("c-1", "contoso", &polled, at), None);
    }
}
