//! `reservoir sandbox`: run the Partner Center simulator in the foreground.

use crate::exit::ExitStatus;
use crate::sandbox::knobs::{DEFAULT_FULFILLMENT_DELAY_SECS, PARTNER_CENTER_LIMIT_PER_MINUTE};
use crate::sandbox::{Knobs, SandboxOptions, WorldSource};
use crate::settings::Settings;

#[derive(Debug, clap::Subcommand)]
pub enum SandboxCommand {
    /// Serve the simulator in the foreground; prints one JSON line with endpoint and credentials.
    Serve(ServeArgs),
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: std::net::SocketAddr,
    /// World file to load (and save back); the demo world when absent.
    #[arg(long)]
    pub world: Option<std::path::PathBuf>,
    /// Latency added to every API call, in milliseconds.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    pub latency_ms: u64,
    /// Seconds from `register` until a subscription is `Registered`.
    #[arg(long, default_value_t = 3, value_name = "SECS")]
    pub registration_delay: u64,
    /// Seconds before a new order appears in the customer's order list.
    #[arg(long, default_value_t = 900, value_name = "SECS")]
    pub order_list_delay: u64,
    /// Seconds a new order stays `pending` (lines without subscription ids) before it is
    /// `completed`; 0 completes orders at checkout.
    #[arg(long, default_value_t = DEFAULT_FULFILLMENT_DELAY_SECS, value_name = "SECS")]
    pub fulfillment_delay: u64,
    /// Seconds before a new order's record shows in the activity log (`/v1/auditrecords`).
    #[arg(long, default_value_t = 3, value_name = "SECS")]
    pub audit_lag: u64,
    /// Milliseconds a checkout is "being processed" (a concurrent checkout of the cart gets
    /// 409/800064).
    #[arg(long, default_value_t = 0, value_name = "MS")]
    pub checkout_processing_ms: u64,
    /// A second checkout of an ordered cart answers 400/800065 instead of the first result.
    #[arg(long)]
    pub repeat_checkout_fails: bool,
    /// New orders are held as `pending_po_upload`.
    #[arg(long)]
    pub pending_po_upload: bool,
    /// Answer in the shapes the documentation shows (numbers as strings, PascalCase keys,
    /// zone-less timestamps, comma-joined echoed headers, ...).
    #[arg(long)]
    pub documented_shapes: bool,
    /// Server-side throttle: partner-wide requests per minute (429 beyond); unlimited when absent.
    /// (Distinct from the client's --rate-limit.)
    #[arg(long = "throttle-partner", id = "throttle_partner", value_name = "N")]
    pub throttle_partner: Option<u32>,
    /// Server-side throttle: requests per minute per customer (429 beyond); unlimited when
    /// absent. (Distinct from the client's --customer-rate-limit.)
    #[arg(long = "throttle-customer", id = "throttle_customer", value_name = "N")]
    pub throttle_customer: Option<u32>,
    /// Throttle as Partner Center documents: 500 requests per minute per partner and per
    /// customer (explicit --throttle-* values win).
    #[arg(long)]
    pub partner_center_limits: bool,
    /// Start from a generated world of N customers instead of the demo world.
    #[arg(long, value_name = "N")]
    pub generate_customers: Option<usize>,
    /// Seed for --generate-customers.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

pub async fn run(args: SandboxCommand, g: &Settings) -> anyhow::Result<ExitStatus> {
    let SandboxCommand::Serve(a) = args;
    let world = match (a.world, a.generate_customers) {
        (Some(path), Some(n)) => WorldSource::GeneratedFile {
            path,
            customers: n,
            seed: a.seed,
        },
        (Some(path), None) => WorldSource::File(path),
        (None, Some(n)) => WorldSource::Generated {
            customers: n,
            seed: a.seed,
        },
        (None, None) => WorldSource::Demo,
    };
    let preset = a
        .partner_center_limits
        .then_some(PARTNER_CENTER_LIMIT_PER_MINUTE);
    let knobs = Knobs {
        latency_ms: a.latency_ms,
        registration_delay_secs: a.registration_delay,
        order_list_delay_secs: a.order_list_delay,
        fulfillment_delay_secs: a.fulfillment_delay,
        audit_lag_secs: a.audit_lag,
        checkout_processing_ms: a.checkout_processing_ms,
        repeat_checkout_fails: a.repeat_checkout_fails,
        pending_po_upload: a.pending_po_upload,
        documented_shapes: a.documented_shapes,
        partner_rate_limit: a.throttle_partner.or(preset),
        customer_rate_limit: a.throttle_customer.or(preset),
    };
    let sandbox = crate::sandbox::start(SandboxOptions {
        listen: a.listen,
        world,
        knobs,
    })
    .await?;
    let creds = sandbox.credentials();
    let base = format!("http://{}", sandbox.local_addr());
    let line = serde_json::json!({
        "endpoint": base,
        "authority": base,
        "tenant_id": creds.tenant_id,
        "client_id": creds.client_id,
        "client_secret": creds.client_secret,
        "refresh_token": creds.refresh_token,
    });
    super::output::Printer::new(g)
        .with_format(super::output::OutputFormat::Json)
        .line(&line.to_string())?;
    super::output::eprint(&format!("sandbox serving on {base}; stop with Ctrl-C"));
    wait_for_signal().await;
    sandbox.shutdown().await;
    Ok(ExitStatus::Success)
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
