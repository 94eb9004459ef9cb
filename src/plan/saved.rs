//! Saved plans (`plan --out FILE`, `apply --plan FILE`, `show FILE`): the JSON plan plus its
//! creation time and expiry. The file is the `--format json` plan with two more top-level fields,
//! `created_at` and `expires_at`; the plan's `provenance` records the endpoint, partner tenant and
//! commit it was made against. Times are passed in by the caller; the plan has no clock, and no
//! file access: [`crate::store::plan_file`] reads and writes the files.

use crate::plan::model::{FORMAT_VERSION, Plan};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A plan saved to a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedPlan {
    #[serde(flatten)]
    pub plan: Plan,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Why a text is not a saved plan this build can use.
#[derive(Debug, thiserror::Error)]
pub enum SavedPlanError {
    #[error("{path} is not a reservoir plan: {detail}")]
    NotAPlan { path: PathBuf, detail: String },
    #[error(
        "{path} is a reservoir plan of format_version {version:?}, but this reservoir reads only \
         format_version \"{FORMAT_VERSION}\"; run plan again with this version"
    )]
    UnsupportedVersion { path: PathBuf, version: String },
}

impl SavedPlan {
    /// Wraps a plan created at `now`, valid for `ttl`.
    pub fn new(plan: Plan, now: DateTime<Utc>, ttl: Duration) -> Self {
        SavedPlan {
            plan,
            created_at: now,
            expires_at: now + ttl,
        }
    }

    /// Whether the plan has expired at `now`.
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        now >= self.expires_at
    }

    /// When the plan was made and when it expires, as `show` prints it first:
    /// `Plan made 2026-11-21 08:00:00 UTC · expires 2026-11-21 12:00:00 UTC` (plus ` (expired)`).
    pub fn made_line(&self, now: DateTime<Utc>) -> String {
        format!(
            "Plan made {} · expires {}{}",
            self.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
            self.expires_at.format("%Y-%m-%d %H:%M:%S UTC"),
            if self.is_expired(now) {
                " (expired)"
            } else {
                ""
            }
        )
    }

    /// The file's JSON text (pretty, trailing newline).
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Parses a saved plan, checking first that it is one and of a version this build reads.
    pub fn from_json(text: &str, path: &Path) -> Result<Self, SavedPlanError> {
        let not_a_plan = |detail: String| SavedPlanError::NotAPlan {
            path: path.to_owned(),
            detail,
        };
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| not_a_plan(format!("invalid JSON ({e})")))?;
        let obj = value
            .as_object()
            .ok_or_else(|| not_a_plan("the file is not a JSON object".to_owned()))?;
        let version = match obj.get("format_version") {
            Some(serde_json::Value::String(v)) => v.clone(),
            Some(other) => other.to_string(),
            None => return Err(not_a_plan("it has no format_version".to_owned())),
        };
        if version != FORMAT_VERSION {
            return Err(SavedPlanError::UnsupportedVersion {
                path: path.to_owned(),
                version,
            });
        }
        serde_json::from_value(value).map_err(|e| not_a_plan(e.to_string()))
    }
}

/// Parses a `--plan-ttl` value: a positive whole number followed by `s`, `m`, `h` or `d`
/// (`4h`, `30m`, `1d`).
pub fn parse_ttl(s: &str) -> Result<Duration, TtlError> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: i64 = num
        .parse()
        .map_err(|_| TtlError::NotANumber(s.to_owned()))?;
    if n <= 0 {
        return Err(TtlError::NotPositive(s.to_owned()));
    }
    let d = match unit {
        "s" => Duration::try_seconds(n),
        "m" => Duration::try_minutes(n),
        "h" => Duration::try_hours(n),
        "d" => Duration::try_days(n),
        _ => return Err(TtlError::Unit(s.to_owned())),
    };
    d.ok_or_else(|| TtlError::TooLong(s.to_owned()))
}

/// Why a `--plan-ttl` value is not a duration (each variant holds the value as given).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TtlError {
    #[error("invalid duration {0:?}: expected e.g. 4h, 30m, 1d")]
    NotANumber(String),
    #[error("invalid duration {0:?}: must be more than zero")]
    NotPositive(String),
    #[error("invalid duration {0:?}: the unit must be s, m, h or d")]
    Unit(String),
    #[error("invalid duration {0:?}: too long")]
    TooLong(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_parses_units_and_rejects_nonsense() {
        assert_eq!(parse_ttl("4h"), Ok(Duration::hours(4)));
        assert_eq!(parse_ttl("30m"), Ok(Duration::minutes(30)));
        assert_eq!(parse_ttl("1d"), Ok(Duration::days(1)));
        assert!(parse_ttl("0h").is_err());
        assert!(parse_ttl("4").is_err());
        assert!(parse_ttl("h").is_err());
        assert!(parse_ttl("4w").is_err());
    }

    #[test]
    fn a_file_that_is_not_a_plan_says_so() {
        let p = Path::new("x.json");
        let e = SavedPlan::from_json("[1]", p).unwrap_err();
        assert!(
            e.to_string().contains("x.json is not a reservoir plan"),
            "{e}"
        );
        let e = SavedPlan::from_json("{\"a\":1}", p).unwrap_err();
        assert!(e.to_string().contains("no format_version"), "{e}");
        let e = SavedPlan::from_json("not json", p).unwrap_err();
        assert!(e.to_string().contains("invalid JSON"), "{e}");
        let e = SavedPlan::from_json("{\"format_version\":\"2\"}", p).unwrap_err();
        assert!(
            matches!(e, SavedPlanError::UnsupportedVersion { .. }),
            "{e}"
        );
        assert!(e.to_string().contains("\"2\""), "{e}");
    }
}
