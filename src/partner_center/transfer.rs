//! One HTTP attempt under a total deadline (connect, headers and the whole body) with the body
//! read as a stream and cut off at a size limit, so a server trickling bytes or sending a huge
//! answer can neither hold a run nor fill its memory.

use bytes::{Bytes, BytesMut};
use reqwest::header::HeaderMap;
use std::time::Duration;

/// An answer read completely.
pub(crate) struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// Why an attempt produced no complete answer.
pub(crate) enum Failure {
    /// No answer: connecting or sending failed, or the headers did not come.
    NoAnswer(reqwest::Error),
    /// The deadline passed before the answer's headers arrived.
    NoHeadersInTime,
    /// The headers arrived but the body broke off.
    BodyBroken { status: u16, error: reqwest::Error },
    /// The headers arrived but the body did not complete before the deadline.
    BodyTooSlow { status: u16 },
    /// The body is larger than the limit (announced or read).
    TooLarge { status: u16 },
}

/// The deadline of one attempt passed.
#[derive(Debug, thiserror::Error)]
#[error("no complete answer within {0:?}")]
pub(crate) struct DeadlineExceeded(pub Duration);

/// Sends `req` and reads its answer; everything must complete within `deadline`, and at most
/// `limit` body bytes are read.
pub(crate) async fn send(
    req: reqwest::RequestBuilder,
    deadline: Duration,
    limit: u64,
) -> Result<Answer, Failure> {
    let end = tokio::time::Instant::now() + deadline;
    let mut resp = match tokio::time::timeout_at(end, req.send()).await {
        Err(_) => return Err(Failure::NoHeadersInTime),
        Ok(Err(e)) => return Err(Failure::NoAnswer(e.without_url())),
        Ok(Ok(r)) => r,
    };
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    if resp.content_length().is_some_and(|n| n > limit) {
        return Err(Failure::TooLarge { status });
    }
    let mut body = BytesMut::new();
    loop {
        match tokio::time::timeout_at(end, resp.chunk()).await {
            Err(_) => return Err(Failure::BodyTooSlow { status }),
            Ok(Err(error)) => {
                return Err(Failure::BodyBroken {
                    status,
                    error: error.without_url(),
                });
            }
            Ok(Ok(None)) => break,
            Ok(Ok(Some(chunk))) => {
                if (body.len() + chunk.len()) as u64 > limit {
                    return Err(Failure::TooLarge { status });
                }
                body.extend_from_slice(&chunk);
            }
        }
    }
    Ok(Answer {
        status,
        headers,
        body: body.freeze(),
    })
}

/// A short description of a transport failure: its kind, and the kind of the io error under it
/// when it has a name (`cannot connect (connection refused)`). The causes themselves travel as
/// the error's source.
pub(crate) fn describe(e: &reqwest::Error) -> String {
    let kind = kind(e);
    let mut cause: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    let mut io_kind = None;
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            io_kind = Some(io.kind());
        }
        cause = c.source();
    }
    // `Other` and the unnamed kinds say nothing more than the kind already does.
    match io_kind.map(|k| k.to_string()) {
        Some(k) if !k.contains("other") && !k.contains("uncategorized") => format!("{kind} ({k})"),
        _ => kind.to_string(),
    }
}

fn kind(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else if e.is_body() || e.is_decode() {
        "connection dropped while reading the response"
    } else if e.is_request() {
        "request failed"
    } else {
        "transport error"
    }
}
