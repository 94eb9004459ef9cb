//! Rendering of plans and reports as text, JSON and Markdown. Decides nothing.

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
