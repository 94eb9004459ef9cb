//! The JSON rendering of a plan (`--format json`): the [`Plan`] model serialised, pretty, with
//! `format_version: "1"` first. Field order is the model's declaration order, so output is stable.

use crate::plan::Plan;

/// Renders a plan as pretty JSON with a trailing newline.
pub fn render(plan: &Plan) -> String {
    // Serialising plain data with string keys cannot fail; fall back to an empty object anyway.
    let mut s = serde_json::to_string_pretty(plan).unwrap_or_else(|_| "{}".to_owned());
    s.push('\n');
    s
}
