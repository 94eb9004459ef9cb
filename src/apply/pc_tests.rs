//! Tests of the error mapping table of [`super`].
use super::*;

fn http(status: u16, code: Option<&str>, outcome_unknown: bool) -> ApiError {
    ApiError::Http {
        method: "POST".into(),
        path: "/v1/customers/c/carts".into(),
        status,
        code: code.map(str::to_owned),
        description: Some("d".into()),
        attempts: 1,
        outcome_unknown,
    }
}

#[test]
fn a_transient_failure_keeps_the_api_error_as_its_cause() {
    let e = http(503, None, false);
    let text = e.to_string();
    let mapped = keep_cause(read_error(&e), e);
    assert!(matches!(mapped, CommerceError::Transient(_)), "{mapped:?}");
    assert_eq!(
        mapped.to_string(),
        format!("partner center is unavailable: {text}")
    );
    let chain: Vec<String> =
        std::iter::successors(std::error::Error::source(&mapped), |e| e.source())
            .map(ToString::to_string)
            .collect();
    assert_eq!(
        chain,
        [text.clone(), text],
        "Unavailable, then the ApiError itself"
    );
    // Classifications other than transient are left as they are.
    let refused = http(404, Some("800008"), false);
    assert_eq!(
        keep_cause(read_error(&refused), refused),
        CommerceError::CartNotFound
    );
}

#[test]
fn write_errors_follow_the_mapping_table() {
    assert_eq!(
        write_error(&http(404, Some("400019"), false)),
        CommerceError::AvailabilityNotFound
    );
    assert_eq!(
        write_error(&http(404, Some("800008"), false)),
        CommerceError::CartNotFound
    );
    assert_eq!(
        write_error(&http(409, Some("800064"), false)),
        CommerceError::OutcomeUnknown
    );
    assert_eq!(
        write_error(&http(400, Some("800065"), false)),
        CommerceError::OutcomeUnknown
    );
    assert_eq!(
        write_error(&http(503, None, true)),
        CommerceError::OutcomeUnknown
    );
    assert_eq!(
        write_error(&http(400, Some("800009"), false)),
        CommerceError::Definite {
            code: "800009".into(),
            description: "d".into()
        }
    );
    // expiry: a refusal of a cart past its expirationTimestamp, whatever the wording
    let now = chrono::Utc::now();
    let past = Some(now - chrono::Duration::minutes(1));
    let future = Some(now + chrono::Duration::days(1));
    let refusal = http(400, Some("800002"), false);
    assert!(expired(&refusal, past, now));
    assert!(!expired(&refusal, future, now));
    assert!(!expired(&refusal, None, now));
    assert!(!expired(&http(503, None, true), past, now));
    // "now" is the run's clock: the same cart counts as expired once that clock passes it.
    assert!(expired(&refusal, future, now + chrono::Duration::days(2)));
    let mut worded = http(400, Some("800002"), false);
    if let ApiError::Http { description, .. } = &mut worded {
        *description = Some("cart c has expired".into());
    }
    assert_eq!(
        write_error(&worded),
        CommerceError::Definite {
            code: "800002".into(),
            description: "cart c has expired".into()
        },
        "the wording alone proves nothing"
    );
    assert!(matches!(
        read_error(&http(503, None, false)),
        CommerceError::Transient(_)
    ));
    assert_eq!(
        read_error(&http(404, Some("800008"), false)),
        CommerceError::CartNotFound
    );
}
