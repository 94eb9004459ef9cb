//! `--format` and `--wide`, shared by the read-only views (`orders`, `entitlements`,
//! `invoices`, `reconcile`), so their help reads like every other command's.

use crate::render::table::Table;
use crate::views::ViewFormat;

/// How a view prints.
#[derive(Debug, Clone, clap::Args)]
pub struct ViewOutput {
    /// Output format: text (aligned tables), json (stable field names) or csv (RFC 4180, one
    /// header record).
    #[arg(
        long,
        value_enum,
        default_value_t = ViewFormat::Text,
        hide_possible_values = true
    )]
    pub format: ViewFormat,
    /// Text tables: show every column at full width (by default they are fitted to 120
    /// columns: less useful columns are left out and long text wraps).
    #[arg(long)]
    pub wide: bool,
}

impl ViewOutput {
    /// True for the text format.
    pub fn is_text(&self) -> bool {
        self.format == ViewFormat::Text
    }

    /// The table, fitted to the width unless `--wide`.
    pub fn fit(&self, table: Table) -> Table {
        if self.wide { table.width(None) } else { table }
    }

    /// Prints a view of one table: `model` as JSON, or the table (fitted) as text or CSV, with
    /// its `notes` and the provenance `footer` (see [`super::output::Printer::view`]).
    pub fn print<T: serde::Serialize>(
        &self,
        g: &crate::settings::Settings,
        model: &T,
        table: Table,
        notes: &[String],
        footer: &str,
    ) -> std::io::Result<()> {
        let text = crate::views::render(self.format, model, &[("", self.fit(table))], notes);
        super::output::Printer::new(g)
            .with_format(self.format)
            .view(&text, notes, footer)
    }
}
