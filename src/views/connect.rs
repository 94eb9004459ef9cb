//! The connection the views read through: the embedded sandbox for `--endpoint sandbox` (its
//! world kept in `<state-dir>/sandbox/world.json`, demo App+User credentials), or a client for a
//! URL with credentials from the `PARTNER_CENTER_*` environment variables.
//!
//! A private stand-in for `cli::settings::connect` until that lands; same shape, so the CLI
//! files can switch with a one-line change.

use super::ViewError;
use crate::partner_center::{Client, ClientConfig, Credentials, EndpointSpec, RateLimits, Secret};
use crate::sandbox::RunningSandbox;
use std::path::Path;

/// A client, and the embedded sandbox it talks to (kept alive until [`Connection::close`]).
#[derive(Debug)]
pub struct Connection {
    pub client: Client,
    pub sandbox: Option<RunningSandbox>,
}

impl Connection {
    /// Stops the embedded sandbox (which saves its world).
    pub async fn close(self) {
        if let Some(s) = self.sandbox {
            s.shutdown().await;
        }
    }
}

/// Connects to `endpoint` (`sandbox`, `global`, `china` or a URL).
pub async fn connect(
    endpoint: &str,
    state_dir: &Path,
    limits: RateLimits,
) -> Result<Connection, ViewError> {
    match EndpointSpec::parse(endpoint)? {
        EndpointSpec::Sandbox => {
            let running = crate::sandbox::embedded(state_dir)
                .await
                .map_err(ViewError::Sandbox)?;
            let c = running.credentials();
            let creds = Credentials::app_user(
                &c.tenant_id,
                &c.client_id,
                Secret::new(c.client_secret),
                Secret::new(c.refresh_token),
                running.authority().as_str().trim_end_matches('/'),
            );
            let mut config = ClientConfig::new(running.endpoint(), creds);
            config.rate_limits = limits;
            let client = Client::new(config)?;
            Ok(Connection {
                client,
                sandbox: Some(running),
            })
        }
        EndpointSpec::Url(url) => {
            let mut config = ClientConfig::new(url, Credentials::from_env()?);
            config.rate_limits = limits;
            Ok(Connection {
                client: Client::new(config)?,
                sandbox: None,
            })
        }
    }
}
