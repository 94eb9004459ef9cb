//! Test helpers: a sandbox per test, tokens, and JSON request shortcuts.

use reqwest::header::HeaderMap;
use reservoir::sandbox::{Knobs, RunningSandbox, SandboxOptions, WorldSource};
use serde_json::{Value, json};

pub(crate) use crate::support::world::*;

pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
}

pub struct Sbx {
    pub sandbox: RunningSandbox,
    pub http: reqwest::Client,
    pub base: String,
    pub app_user: String,
    pub app_only: String,
}

pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().build().expect("client")
}

pub async fn start() -> Sbx {
    start_with(SandboxOptions::default()).await
}

/// A sandbox whose orders complete at checkout (`fulfillmentDelaySecs: 0`), for tests about
/// what happens after fulfilment.
pub async fn start_instant() -> Sbx {
    start_knobs(Knobs {
        fulfillment_delay_secs: 0,
        ..Knobs::default()
    })
    .await
}

pub async fn start_knobs(knobs: Knobs) -> Sbx {
    start_with(SandboxOptions {
        knobs,
        ..SandboxOptions::default()
    })
    .await
}

pub async fn start_world(world: WorldSource) -> Sbx {
    start_with(SandboxOptions {
        world,
        ..SandboxOptions::default()
    })
    .await
}

pub async fn start_with(opts: SandboxOptions) -> Sbx {
    let sandbox = reservoir::sandbox::start(opts)
        .await
        .expect("sandbox starts");
    let http = client();
    let base = sandbox
        .endpoint()
        .as_str()
        .trim_end_matches('/')
        .to_string();
    let mut s = Sbx {
        sandbox,
        http,
        base,
        app_user: String::new(),
        app_only: String::new(),
    };
    s.app_only = s.token("client_credentials").await.body["access_token"]
        .as_str()
        .expect("token")
        .to_string();
    s.app_user = s.token("refresh_token").await.body["access_token"]
        .as_str()
        .expect("token")
        .to_string();
    s
}

async fn into_resp(r: reqwest::Response) -> Resp {
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let bytes = r.bytes().await.expect("body");
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|_| json!({ "raw_len": bytes.len() }))
    };
    Resp {
        status,
        headers,
        body,
    }
}

impl Sbx {
    pub async fn token(&self, grant: &str) -> Resp {
        let c = self.sandbox.credentials();
        let mut form = vec![
            ("grant_type", grant.to_string()),
            ("client_id", c.client_id.clone()),
            ("client_secret", c.client_secret.clone()),
            (
                "resource",
                "https://api.partnercenter.microsoft.com".to_string(),
            ),
        ];
        if grant == "refresh_token" {
            form.push(("refresh_token", c.refresh_token.clone()));
        }
        let r = self
            .http
            .post(format!("{}/{}/oauth2/token", self.base, c.tenant_id))
            .form(&form)
            .send()
            .await
            .expect("send");
        into_resp(r).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> Resp {
        into_resp(req.send().await.expect("send")).await
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(self.http.get(self.url(path)).bearer_auth(&self.app_user))
            .await
    }

    pub async fn get_app_only(&self, path: &str) -> Resp {
        self.send(self.http.get(self.url(path)).bearer_auth(&self.app_only))
            .await
    }

    pub async fn post(&self, path: &str, body: Value) -> Resp {
        let mut r = self.http.post(self.url(path)).bearer_auth(&self.app_user);
        if !body.is_null() {
            r = r.json(&body);
        }
        self.send(r).await
    }

    pub async fn post_with_id(&self, path: &str, body: Value, request_id: &str) -> Resp {
        let mut r = self
            .http
            .post(self.url(path))
            .bearer_auth(&self.app_user)
            .header("MS-RequestId", request_id);
        if !body.is_null() {
            r = r.json(&body);
        }
        self.send(r).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Resp {
        self.send(
            self.http
                .put(self.url(path))
                .bearer_auth(&self.app_user)
                .json(&body),
        )
        .await
    }

    pub async fn admin_get(&self, path: &str) -> Value {
        self.send(self.http.get(self.url(path))).await.body
    }

    pub async fn admin_post(&self, path: &str, body: Value) -> Value {
        let r = self.send(self.http.post(self.url(path)).json(&body)).await;
        assert_eq!(r.status, 200, "admin {path}: {}", r.body);
        r.body
    }

    pub async fn admin_put(&self, path: &str, body: Value) -> Value {
        let r = self.send(self.http.put(self.url(path)).json(&body)).await;
        assert_eq!(r.status, 200, "admin {path}: {}", r.body);
        r.body
    }

    pub async fn advance(&self, seconds: i64) {
        self.admin_post("/_sandbox/clock/advance", json!({ "seconds": seconds }))
            .await;
    }

    pub async fn fault(&self, rule: Value) {
        self.admin_post("/_sandbox/faults", rule).await;
    }

    pub async fn order_count(&self) -> usize {
        self.admin_get("/_sandbox/orders").await["items"]
            .as_array()
            .map_or(0, Vec::len)
    }

    /// The catalog item id of a reservation SKU (Azure plan scope unless `legacy`).
    pub async fn reservation_item(
        &self,
        country: &str,
        view: &str,
        arm: &str,
        region: &str,
        duration: &str,
        legacy: bool,
    ) -> String {
        let scope = if legacy {
            ""
        } else {
            "&reservationScope=AzurePlan"
        };
        let products = self
            .get(&format!(
                "/v1/products?country={country}&targetView={view}{scope}"
            ))
            .await;
        for p in products.body["items"].as_array().expect("items") {
            let id = p["id"].as_str().expect("id");
            let skus = self
                .get(&format!("/v1/products/{id}/skus?country={country}{scope}"))
                .await;
            for s in skus.body["items"].as_array().expect("items") {
                let d = &s["dynamicAttributes"];
                if d["armSkuName"] == arm
                    && d["armRegionName"] == region
                    && d["duration"] == duration
                {
                    let sid = s["id"].as_str().expect("sku id");
                    let av = self
                        .get(&format!(
                            "/v1/products/{id}/skus/{sid}/availabilities?country={country}{scope}"
                        ))
                        .await;
                    return av.body["items"][0]["catalogItemId"]
                        .as_str()
                        .expect("catalogItemId")
                        .to_string();
                }
            }
        }
        panic!("no sku {arm} {region} {duration}");
    }

    pub async fn software_item(&self, country: &str, product: &str, sku: &str) -> String {
        let av = self
            .get(&format!(
                "/v1/products/{product}/skus/{sku}/availabilities?country={country}"
            ))
            .await;
        av.body["items"][0]["catalogItemId"]
            .as_str()
            .expect("catalogItemId")
            .to_string()
    }
}

pub fn reservation_line(
    id: i64,
    item: &str,
    qty: i64,
    term: &str,
    sub: &str,
    duration: &str,
) -> Value {
    json!({
        "id": id, "catalogItemId": item, "quantity": qty, "billingCycle": "one_time", "termDuration": term,
        "provisioningContext": { "subscriptionId": sub, "scope": "shared", "duration": duration },
    })
}
