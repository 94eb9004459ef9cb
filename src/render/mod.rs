//! Rendering of plans and reports as text, JSON and Markdown. Decides nothing.

pub mod events;
pub mod json;
pub mod markdown;
pub mod receipt;
pub mod table;
pub mod text;

use crate::plan::Plan;

/// Output formats for plans and reports.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Text,
    Json,
    Markdown,
}

/// Renders a plan in `format`. `color` only affects text (ANSI codes when true).
pub fn render_plan(plan: &Plan, format: Format, color: bool) -> String {
    match format {
        Format::Text => text::render(plan, color),
        Format::Json => json::render(plan),
        Format::Markdown => markdown::render(plan),
    }
}
