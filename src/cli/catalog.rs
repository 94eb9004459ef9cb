//! `reservoir catalog search`: what one customer can buy, with a ready-to-paste manifest item per
//! offer (see [`crate::catalog::search`]). Read-only: it holds only a read-only `Reader`.

use super::{output, setup};
use crate::catalog::Catalog;
use crate::catalog::search::{self, OfferType, Query};
use crate::catalog::search_text;
use crate::exit::ExitStatus;
use crate::settings::Settings;
use crate::views::customers;

#[derive(Debug, clap::Subcommand)]
pub enum CatalogCommand {
    /// List what one customer (`--customer`) can buy: ARM SKU names, regions, terms, billing
    /// plans, inventory restrictions, and a manifest item for each.
    Search(SearchArgs),
}

#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// Only this type of item (repeat for several).
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    pub types: Vec<OfferType>,
    /// Only reservations in this ARM region (e.g. `eastus`).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SearchFormat::Text)]
    pub format: SearchFormat,
    /// Words that must all appear in the SKU name, title, region or ids (case-insensitive).
    #[arg(value_name = "TEXT")]
    pub text: Vec<String>,
}

/// How `catalog search` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SearchFormat {
    /// One block per offer with its manifest item.
    Text,
    /// The whole answer as JSON.
    Json,
}

pub async fn run(cmd: CatalogCommand, g: &Settings) -> anyhow::Result<ExitStatus> {
    let CatalogCommand::Search(args) = cmd;
    let [wanted] = g.customers.as_slice() else {
        anyhow::bail!(
            "catalog search needs exactly one --customer ID|NAME (got {})",
            g.customers.len()
        );
    };
    if let Some(r) = &args.region
        && (r.is_empty() || !r.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        anyhow::bail!("--region {r:?} is not an ARM region name (e.g. eastus, westeurope)");
    }
    // Only a read-only `Reader` is kept: the search cannot write to Partner Center.
    let conn = setup::connect(g).await?.read_only();
    let selected = customers::one(&conn.reader, wanted).await;
    let customer = match selected {
        Ok(c) => c,
        Err(e) => {
            conn.close().await;
            return Err(e.into());
        }
    };
    let catalog = Catalog::new(conn.reader.clone());
    let query = Query {
        types: args.types.clone(),
        region: args.region.clone(),
        text: (!args.text.is_empty()).then(|| args.text.join(" ")),
    };
    let result = search::search(&conn.reader, &catalog, &customer.id, &query).await;
    drop(catalog);
    conn.close().await;
    let result = result?;
    let out = match args.format {
        SearchFormat::Text => search_text::text(&result),
        SearchFormat::Json => format!("{}\n", serde_json::to_string_pretty(&result)?),
    };
    output::Printer::new(g)
        .with_format(args.format)
        .line(&out)?;
    Ok(if result.errors.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Error
    })
}
