//! `observe` against the in-process sandbox (demo world): pending purchases from a journal
//! source, in-flight doubt, the witnesses consulted, and that the observe future can run on a
//! spawned task.

use super::*;
use crate::manifest::PurchaseKey;
use crate::partner_center::{Client, ClientConfig, Credentials, Secret};
use crate::plan::{Action, CustomerObservation, ObservedCustomer};

fn assert_send<T: Send>(_: &T) {}

#[test]
fn observe_can_run_on_a_spawned_task() {
    let desired = DesiredState {
        customers: Vec::new(),
        limits: Default::default(),
        manifest_hash: String::new(),
    };
    let url = url::Url::parse("http://127.0.0.1:9").expect("url");
    let creds = Credentials::AccessToken(Secret::new("t"));
    let reader = Reader::new(&Client::new(ClientConfig::new(url, creds)).expect("client"));
    let catalog = Catalog::new(reader.clone());
    let opts = ObserveOptions::with_dir(1, std::path::Path::new("."));
    let fut = observe(&desired, &reader, &catalog, &NoJournal, &opts);
    assert_send(&fut);
}

const CONTOSO: &str = "4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01";

pub(super) const WEB_TIER_4: &str = r#"
version: 1
customers:
  - id: 4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01
    name: contoso
    subscriptions:
      - id: 9a51d0e2-3b7c-4f0a-8c61-5e2d9f4a7b10
        kind: azure-plan
        reservations:
          - { name: web-tier, type: vm, sku: Standard_D2s_v5, region: eastus, term: P1Y, scope: shared, quantity: 4 }
"#;

struct FakeJournal(Result<Vec<JournalEntry>, super::pending::PendingError>);

#[async_trait::async_trait]
impl PendingSource for FakeJournal {
    async fn pending(
        &self,
        _customer_id: &str,
    ) -> Result<Vec<JournalEntry>, super::pending::PendingError> {
        self.0.clone()
    }
}

struct World {
    sandbox: crate::sandbox::RunningSandbox,
    reader: Reader,
    state: tempfile::TempDir,
    desired: DesiredState,
}

async fn world() -> World {
    let (sandbox, reader) =
        crate::partner_center::sandbox_reader(crate::sandbox::SandboxOptions::default(), 1).await;
    let desired = crate::manifest::load_str(&[(std::path::Path::new("m.yaml"), WEB_TIER_4)])
        .expect("manifest")
        .desired;
    World {
        sandbox,
        reader,
        state: tempfile::tempdir().expect("tempdir"),
        desired,
    }
}

impl World {
    async fn observe(&self, journal: &dyn PendingSource) -> ObservedCustomer {
        self.observation(journal).await.1
    }

    async fn observation(
        &self,
        journal: &dyn PendingSource,
    ) -> (crate::plan::Observation, ObservedCustomer) {
        let catalog = Catalog::new(self.reader.clone());
        let opts = ObserveOptions::with_dir(2, self.state.path());
        let obs = observe(&self.desired, &self.reader, &catalog, journal, &opts).await;
        let oc = match obs.customer(CONTOSO) {
            Some(CustomerObservation::Observed(c)) => c.clone(),
            other => panic!("contoso not observed: {other:?}"),
        };
        (obs, oc)
    }

    fn key(&self) -> PurchaseKey {
        let c = &self.desired.customers[0];
        let s = &c.subscriptions[0];
        s.reservations[0].purchase_key(&c.id, &s.id)
    }

    async fn web_tier_row(&self, journal: &dyn PendingSource) -> crate::plan::Row {
        let oc = self.observe(journal).await;
        let obs = crate::plan::Observation {
            observed_at: None,
            customers: vec![CustomerObservation::Observed(oc)],
            witnesses: None,
            prices: Default::default(),
        };
        let plan = crate::plan::diff(&self.desired, &obs);
        plan.rows
            .into_iter()
            .find(|r| r.item.as_deref() == Some("web-tier"))
            .expect("web-tier row")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journalled_purchases_count_as_pending_until_visible() {
    let w = world().await;
    let plain = w.observe(&NoJournal).await;
    assert_eq!(plain.holdings.len(), 2, "a reservation and a software pack");
    let visible = plain.holdings[0].order_id.clone();
    let entry = |order_id: Option<&str>, quantity| JournalEntry {
        order_id: order_id.map(str::to_owned),
        key: Some(w.key()),
        catalog_item_id: "DZH318Z0AAAA:0001:AV".into(),
        quantity,
    };
    let journal = FakeJournal(Ok(vec![
        entry(Some(&visible), 2),
        entry(Some("not-yet-listed"), 1),
        entry(None, 1),
    ]));
    let oc = w.observe(&journal).await;
    assert_eq!(oc.in_flight_unknown, None);
    assert_eq!(
        oc.pending.len(),
        2,
        "the visible order is owned, not pending"
    );
    assert!(oc.pending.iter().any(|p| p.order_id.is_none()));
    assert_eq!(oc.pending[0].product_id, "DZH318Z0AAAA");
    let row = w.web_tier_row(&journal).await;
    assert_eq!((row.owned, row.pending, row.to_buy), (2, 2, 0));
    assert_eq!(row.action, Action::Pending);
    w.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_journal_blocks_purchases_instead_of_risking_a_duplicate() {
    let w = world().await;
    let corrupt: Box<dyn std::error::Error + Send + Sync> =
        "journal file is corrupt at line 3".into();
    let unreadable = FakeJournal(Err(super::pending::PendingError::Store(corrupt.into())));
    let oc = w.observe(&unreadable).await;
    assert_eq!(
        oc.in_flight_unknown,
        Some(crate::plan::InFlightUnknown::JournalUnreadable)
    );
    let row = w.web_tier_row(&unreadable).await;
    assert_eq!(row.action, Action::Blocked);
    assert!(
        row.reason
            .unwrap_or_default()
            .contains("cannot be ruled out")
    );

    let keyless = FakeJournal(Ok(vec![JournalEntry {
        order_id: Some("o-1".into()),
        key: None,
        catalog_item_id: "X:1:A".into(),
        quantity: 1,
    }]));
    assert_eq!(
        w.observe(&keyless).await.in_flight_unknown,
        Some(crate::plan::InFlightUnknown::JournalUnreadable)
    );
    w.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_journal_reads_as_empty_and_the_witnesses_say_so() {
    let w = world().await;
    let missing = from_journal(w.state.path());
    assert!(missing.is_missing());
    let (obs, oc) = w.observation(&*missing).await;
    assert_eq!(
        oc.in_flight_unknown, None,
        "no longer blocked: the activity log stands in"
    );
    let witnesses = obs.witnesses.expect("witnesses");
    assert_eq!(witnesses.journal, crate::plan::JournalWitness::Missing);
    assert!(
        matches!(
            witnesses.activity_log,
            crate::plan::ActivityWitness::Read { minutes: 30, .. }
        ),
        "{witnesses:?}"
    );
    assert!(witnesses.line().contains("none in this state dir"));
    let row = w.web_tier_row(&*missing).await;
    assert_ne!(row.action, Action::Blocked, "{row:?}");

    crate::store::Journal::open(w.state.path()).expect("journal");
    let (obs, _) = w.observation(&*from_journal(w.state.path())).await;
    assert_eq!(
        obs.witnesses.map(|w| w.journal),
        Some(crate::plan::JournalWitness::Read)
    );
    w.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_activity_log_blocks_every_purchase_naming_the_call() {
    let w = world().await;
    w.sandbox.add_fault(
        serde_json::from_value(serde_json::json!({
            "path": "/v1/auditrecords*", "kind": "server_error", "status": 503
        }))
        .expect("fault"),
    );
    let (obs, oc) = w.observation(&NoJournal).await;
    let Some(crate::plan::InFlightUnknown::ActivityLogUnreadable { error }) = &oc.in_flight_unknown
    else {
        panic!("fail closed expected: {:?}", oc.in_flight_unknown);
    };
    assert!(error.contains("/v1/auditrecords"), "{error}");
    assert!(matches!(
        obs.witnesses.map(|w| w.activity_log),
        Some(crate::plan::ActivityWitness::Failed { .. })
    ));
    let row = w.web_tier_row(&NoJournal).await;
    assert_eq!(row.action, Action::Blocked, "{row:?}");
    let reason = row.reason.unwrap_or_default();
    assert!(reason.contains("partner activity log"), "{reason}");
    w.sandbox.shutdown().await;
}

#[tokio::test]
async fn from_journal_reads_the_state_dirs_journal_and_never_ignores_a_broken_one() {
    use crate::store::{Journal, PurchaseLine, Record};
    let dir = tempfile::tempdir().expect("tempdir");
    assert_eq!(
        from_journal(dir.path())
            .pending(CONTOSO)
            .await
            .map(|v| v.len())
            .map_err(|e| e.to_string()),
        Ok(0),
        "no journal yet: nothing pending"
    );
    assert!(
        from_journal(dir.path()).is_missing(),
        "but it says it is missing"
    );
    assert!(!dir.path().join("journal").exists(), "and creates nothing");
    let desired = crate::manifest::load_str(&[(std::path::Path::new("m.yaml"), WEB_TIER_4)])
        .expect("manifest")
        .desired;
    let c = &desired.customers[0];
    let key = c.subscriptions[0].reservations[0].purchase_key(&c.id, &c.subscriptions[0].id);
    let journal = Journal::open(dir.path()).expect("journal");
    assert!(!from_journal(dir.path()).is_missing());
    journal
        .append(
            CONTOSO,
            &Record::Intent {
                at: chrono::Utc::now(),
                intent_id: "i-1".into(),
                plan_hash: "h".into(),
                lines: vec![PurchaseLine {
                    commitment: None,
                    key: key.clone(),
                    item_name: "web-tier".into(),
                    catalog_item_id: "DZH318Z0AAAA:0001:AV".into(),
                    product_id: "DZH318Z0AAAA".into(),
                    sku_id: "0001".into(),
                    quantity: 2,
                    billing_cycle: "one_time".into(),
                    term_duration: Some("P1Y".into()),
                    provisioning_context: Default::default(),
                    friendly_name: None,
                    estimate: None,
                }],
                create_request_id: "r-1".into(),
            },
        )
        .await
        .expect("append");
    let pending = from_journal(dir.path())
        .pending(CONTOSO)
        .await
        .expect("readable");
    assert_eq!(
        pending,
        vec![JournalEntry {
            order_id: None,
            key: Some(key),
            catalog_item_id: "DZH318Z0AAAA:0001:AV".into(),
            quantity: 2,
        }],
        "an unfinished intent counts as pending with no order"
    );
    let file = dir.path().join("journal").join(format!("{CONTOSO}.jsonl"));
    std::fs::write(&file, "garbage\n{\"type\": \"intent\"}\n").expect("corrupt");
    let e = from_journal(dir.path())
        .pending(CONTOSO)
        .await
        .expect_err("a corrupt journal is an error");
    // The journal's own error is kept whole, not flattened into a line.
    let super::pending::PendingError::Journal(journal) = &e else {
        panic!("not the journal's error: {e:?}");
    };
    assert_eq!(e.to_string(), journal.to_string());
    assert!(
        crate::error_chain::one_line(&e).contains(&format!("{CONTOSO}.jsonl")),
        "{}",
        crate::error_chain::one_line(&e)
    );
}
