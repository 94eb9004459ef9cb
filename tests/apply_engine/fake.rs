//! An in-memory Partner Center with the semantics the engine relies on — `MS-RequestId` replay
//! returns the first response, checkout is idempotent per cart, one order per order group,
//! carts that expire, availabilities that rotate (→ 400019) — plus a fault injector: commit then
//! drop, transient failures (5xx/429), and "kill" (every call from then on never completes, like a
//! process that died; the test drops the future).

use chrono::{DateTime, Duration as ChronoDuration, TimeZone, Utc};
use futures::future::BoxFuture;
use reservoir::apply::{
    Cart, CartLine, CartLineResult, CartStatus, CheckoutOutcome, Commerce, CommerceError,
    OrderGroupError, OrderInfo, OrderStatus, PlacedOrder, PlacedOrderLine, RegistrationStatus,
};
use reservoir::manifest::PurchaseKey;
use reservoir::store::{HookRefusal, JournalHook, PurchaseLine, Record};
use reservoir::time::Clock;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// A scripted fault for one commerce call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Behave normally.
    None,
    /// A write is committed, then the connection drops (`OutcomeUnknown`); reads just fail.
    Drop,
    /// 5xx after the client's retries: nothing committed.
    Transient,
    /// 429 after the client's retries: nothing committed.
    Throttle,
    /// The process dies before the call is committed.
    KillBefore,
    /// The process dies after the call is committed (the response is lost with the process).
    KillAfter,
    /// A create-cart call flags its first line with an error (10003).
    LineError,
    /// A checkout fails the order group of its first line (800069).
    FailGroup,
    /// A hostile cart answer: the cart call (create, update or read) doubles the quantity of
    /// the cart's first line — in the stored cart, so a checkout would buy it.
    CartDoubled,
    /// A hostile cart answer: the cart call swaps the first line's catalog item for another SKU.
    CartOtherItem,
    /// The checkout places the orders but answers `201` with no order and no order error
    /// (every resend of the same request id gets the same answer).
    CheckoutEmpty,
    /// The checkout answer lists every order twice.
    CheckoutDuplicate,
    /// The checkout answer says its orders are for another customer.
    CheckoutOtherCustomer,
}

#[derive(Debug, Clone)]
struct FakeCart {
    customer_id: String,
    lines: Vec<CartLine>,
    status: CartStatus,
    expires_at: DateTime<Utc>,
    result: Option<CheckoutOutcome>,
}

#[derive(Debug, Clone)]
pub struct FakeOrder {
    pub order_id: String,
    pub customer_id: String,
    pub lines: Vec<(PurchaseKey, String, u32, BTreeMap<String, String>)>,
    pub cancelled: bool,
    pub visible_at_tick: u64,
}

#[derive(Debug, Clone)]
enum Replay {
    Cart(Result<Cart, CommerceError>),
    Checkout(Result<CheckoutOutcome, CommerceError>),
}

#[derive(Default)]
struct State {
    next_id: u64,
    carts: HashMap<String, FakeCart>,
    replays: HashMap<(String, String), Replay>,
    orders: Vec<FakeOrder>,
    registrations: HashMap<String, u32>,
    /// Polls a registration takes to become `Registered`.
    registration_polls: u32,
    /// (product, sku) → current availability id.
    availability: HashMap<(String, String), u32>,
    failing_products: BTreeSet<String>,
    faults: VecDeque<Fault>,
    killed: bool,
    tick: u64,
    entitlement_lag: u64,
    calls: u64,
    request_ids: Vec<(String, String)>,
    /// Checkout of an ordered cart answers 400/800065 instead of the first result (the older
    /// documented behaviour), and request ids are not replayed for checkout.
    legacy_checkout: bool,
}

/// The fake world, shared by every "process" of a test.
#[derive(Clone)]
pub struct FakeWorld {
    state: Arc<Mutex<State>>,
    pub clock: Arc<FakeClock>,
}

impl Default for FakeWorld {
    fn default() -> Self {
        Self::new()
    }
}

impl FakeWorld {
    pub fn new() -> FakeWorld {
        FakeWorld {
            state: Arc::new(Mutex::new(State::default())),
            clock: Arc::new(FakeClock::default()),
        }
    }

    fn st(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn script(&self, faults: impl IntoIterator<Item = Fault>) {
        self.st().faults.extend(faults);
    }
    pub fn clear_faults(&self) {
        self.st().faults.clear();
    }
    pub fn kill(&self) {
        self.st().killed = true;
    }
    pub fn is_killed(&self) -> bool {
        self.st().killed
    }
    /// A new process starts: calls complete again.
    pub fn revive(&self) {
        self.st().killed = false;
    }
    pub fn set_registration_polls(&self, n: u32) {
        self.st().registration_polls = n;
    }
    pub fn fail_product(&self, product: &str) {
        self.st().failing_products.insert(product.to_owned());
    }
    pub fn heal_products(&self) {
        self.st().failing_products.clear();
    }
    pub fn cancel_order(&self, order_id: &str) {
        for o in self
            .st()
            .orders
            .iter_mut()
            .filter(|o| o.order_id == order_id)
        {
            o.cancelled = true;
        }
    }
    pub fn set_legacy_checkout(&self) {
        self.st().legacy_checkout = true;
    }
    pub fn set_entitlement_lag(&self, ticks: u64) {
        self.st().entitlement_lag = ticks;
    }
    /// Time passes: entitlements of older orders become visible.
    pub fn tick(&self) {
        self.st().tick += 1;
    }
    /// Every active cart expires.
    pub fn expire_carts(&self) {
        let now = self.clock.now();
        for c in self.st().carts.values_mut() {
            c.expires_at = now - ChronoDuration::seconds(1);
        }
    }
    /// The availability id of (product, sku) changes; old catalog item ids answer 400019.
    pub fn rotate(&self, product: &str, sku: &str) {
        *self
            .st()
            .availability
            .entry((product.to_owned(), sku.to_owned()))
            .or_default() += 1;
    }
    pub fn catalog_item_id(&self, product: &str, sku: &str) -> String {
        let v = self
            .st()
            .availability
            .get(&(product.to_owned(), sku.to_owned()))
            .copied()
            .unwrap_or(0);
        format!("{product}:{sku}:AV{v}")
    }
    pub fn is_registered(&self, subscription_id: &str) -> bool {
        self.st().registrations.get(subscription_id) == Some(&0)
    }
    pub fn calls(&self) -> u64 {
        self.st().calls
    }
    pub fn request_ids(&self) -> Vec<(String, String)> {
        self.st().request_ids.clone()
    }
    pub fn orders(&self) -> Vec<FakeOrder> {
        self.st().orders.clone()
    }
    pub fn carts_created(&self) -> usize {
        self.st().carts.len()
    }

    /// Units actually ordered (every order ever placed, not cancelled) per purchase key.
    pub fn units_ordered(&self) -> BTreeMap<PurchaseKey, u32> {
        let mut out = BTreeMap::new();
        for o in self.st().orders.iter().filter(|o| !o.cancelled) {
            for (key, _, qty, _) in &o.lines {
                *out.entry(key.clone()).or_default() += qty;
            }
        }
        out
    }

    /// Units visible as entitlements (orders older than the entitlement lag).
    pub fn units_entitled(&self, customer_id: &str) -> BTreeMap<PurchaseKey, u32> {
        let st = self.st();
        let mut out = BTreeMap::new();
        for o in st.orders.iter().filter(|o| {
            !o.cancelled && o.customer_id == customer_id && o.visible_at_tick <= st.tick
        }) {
            for (key, _, qty, _) in &o.lines {
                *out.entry(key.clone()).or_default() += qty;
            }
        }
        out
    }

    pub fn is_entitled(&self, order_id: &str) -> bool {
        let st = self.st();
        st.orders
            .iter()
            .any(|o| o.order_id == order_id && !o.cancelled && o.visible_at_tick <= st.tick)
    }

    /// Takes the next scripted fault (a call made after a kill never completes).
    async fn enter(&self, op: &str, request_id: Option<&str>) -> Fault {
        let fault = {
            let mut st = self.st();
            if st.killed {
                None
            } else {
                st.calls += 1;
                if let Some(r) = request_id {
                    st.request_ids.push((op.to_owned(), r.to_owned()));
                }
                Some(st.faults.pop_front().unwrap_or(Fault::None))
            }
        };
        match fault {
            None | Some(Fault::KillBefore) => {
                self.kill();
                std::future::pending::<()>().await;
                Fault::None
            }
            Some(f) => f,
        }
    }

    /// After a write committed: apply the post-commit part of a fault.
    async fn leave<T>(
        &self,
        fault: Fault,
        result: Result<T, CommerceError>,
    ) -> Result<T, CommerceError> {
        match fault {
            Fault::Drop => Err(CommerceError::OutcomeUnknown),
            Fault::KillAfter => {
                self.kill();
                std::future::pending::<()>().await;
                result
            }
            _ => result,
        }
    }

    fn fresh_id(st: &mut State, prefix: &str) -> String {
        st.next_id += 1;
        format!("{prefix}-{:04}", st.next_id)
    }

    fn cart_view(cart_id: &str, c: &FakeCart, error_first: bool) -> Cart {
        Cart {
            cart_id: cart_id.to_owned(),
            expires_at: Some(c.expires_at),
            status: c.status,
            lines: c
                .lines
                .iter()
                .enumerate()
                .map(|(i, l)| CartLineResult {
                    order_group: Some(l.line.product_id.clone()),
                    error: (error_first && i == 0)
                        .then(|| ("10003".to_owned(), "inventory not available".to_owned())),
                    ..CartLineResult::echo(l.id, &l.line)
                })
                .collect(),
        }
    }

    /// Applies a hostile cart fault to a stored cart.
    fn tamper(c: &mut FakeCart, fault: Fault) {
        let Some(first) = c.lines.first_mut() else {
            return;
        };
        match fault {
            Fault::CartDoubled => first.line.quantity *= 2,
            Fault::CartOtherItem => {
                first.line.catalog_item_id =
                    format!("{}:Standard_E64s_v5:AV0", first.line.product_id);
            }
            _ => {}
        }
    }
}

fn pre_commit_error(fault: Fault) -> Option<CommerceError> {
    match fault {
        Fault::Transient => Some(CommerceError::OutcomeUnknown),
        Fault::Throttle => Some(CommerceError::Transient("429 too many requests".into())),
        _ => None,
    }
}

fn read_error(fault: Fault) -> Option<CommerceError> {
    match fault {
        Fault::Transient | Fault::Drop => Some(CommerceError::Transient("503".into())),
        Fault::Throttle => Some(CommerceError::Transient("429".into())),
        _ => None,
    }
}

impl Commerce for FakeWorld {
    async fn register_subscription(
        &self,
        _customer_id: &str,
        subscription_id: &str,
        request_id: &str,
    ) -> Result<(), CommerceError> {
        let fault = self.enter("register", Some(request_id)).await;
        if let Some(e) = pre_commit_error(fault) {
            return Err(e);
        }
        {
            let mut st = self.st();
            let polls = st.registration_polls;
            st.registrations
                .entry(subscription_id.to_owned())
                .or_insert(polls);
        }
        self.leave(fault, Ok(())).await
    }

    async fn registration_status(
        &self,
        _customer_id: &str,
        subscription_id: &str,
    ) -> Result<RegistrationStatus, CommerceError> {
        let fault = self.enter("registration status", None).await;
        if let Some(e) = read_error(fault) {
            return Err(e);
        }
        let mut st = self.st();
        match st.registrations.get_mut(subscription_id) {
            None => Ok(RegistrationStatus::NotRegistered),
            Some(0) => Ok(RegistrationStatus::Registered),
            Some(n) => {
                *n -= 1;
                Ok(RegistrationStatus::Registering)
            }
        }
    }

    async fn create_cart(
        &self,
        customer_id: &str,
        lines: &[CartLine],
        request_id: &str,
    ) -> Result<Cart, CommerceError> {
        let fault = self.enter("create cart", Some(request_id)).await;
        if let Some(e) = pre_commit_error(fault) {
            return Err(e);
        }
        let result = {
            let key = (customer_id.to_owned(), request_id.to_owned());
            let mut st = self.st();
            if let Some(Replay::Cart(r)) = st.replays.get(&key) {
                r.clone()
            } else {
                let id = Self::fresh_id(&mut st, "cart");
                let mut cart = FakeCart {
                    customer_id: customer_id.to_owned(),
                    lines: lines.to_vec(),
                    status: CartStatus::Active,
                    expires_at: self.clock.now() + ChronoDuration::days(7),
                    result: None,
                };
                Self::tamper(&mut cart, fault);
                let view = Self::cart_view(&id, &cart, fault == Fault::LineError);
                st.carts.insert(id, cart);
                st.replays.insert(key, Replay::Cart(Ok(view.clone())));
                Ok(view)
            }
        };
        self.leave(fault, result).await
    }

    async fn get_cart(&self, customer_id: &str, cart_id: &str) -> Result<Cart, CommerceError> {
        let fault = self.enter("get cart", None).await;
        if let Some(e) = read_error(fault) {
            return Err(e);
        }
        let mut st = self.st();
        match st.carts.get_mut(cart_id) {
            Some(c) if c.customer_id == customer_id => {
                if c.status == CartStatus::Active {
                    Self::tamper(c, fault);
                }
                if c.status == CartStatus::Active && c.expires_at <= self.clock.now() {
                    Err(CommerceError::CartExpired)
                } else {
                    Ok(Self::cart_view(cart_id, c, false))
                }
            }
            _ => Err(CommerceError::CartNotFound),
        }
    }

    async fn update_cart(
        &self,
        customer_id: &str,
        cart_id: &str,
        lines: &[CartLine],
        request_id: &str,
    ) -> Result<Cart, CommerceError> {
        let fault = self.enter("update cart", Some(request_id)).await;
        if let Some(e) = pre_commit_error(fault) {
            return Err(e);
        }
        let result = {
            let key = (customer_id.to_owned(), request_id.to_owned());
            let now = self.clock.now();
            let mut st = self.st();
            if let Some(Replay::Cart(r)) = st.replays.get(&key) {
                r.clone()
            } else {
                let r = match st.carts.get_mut(cart_id) {
                    Some(c) if c.customer_id == customer_id => {
                        if c.status == CartStatus::Ordered {
                            Err(CommerceError::Definite {
                                code: "800065".into(),
                                description: "cart already submitted".into(),
                            })
                        } else if c.expires_at <= now {
                            Err(CommerceError::CartExpired)
                        } else {
                            c.lines = lines.to_vec();
                            Self::tamper(c, fault);
                            Ok(Self::cart_view(cart_id, c, false))
                        }
                    }
                    _ => Err(CommerceError::CartNotFound),
                };
                st.replays.insert(key, Replay::Cart(r.clone()));
                r
            }
        };
        self.leave(fault, result).await
    }

    async fn checkout(
        &self,
        customer_id: &str,
        cart_id: &str,
        request_id: &str,
    ) -> Result<CheckoutOutcome, CommerceError> {
        let fault = self.enter("checkout", Some(request_id)).await;
        if let Some(e) = pre_commit_error(fault) {
            return Err(e);
        }
        let result = {
            let key = (customer_id.to_owned(), request_id.to_owned());
            let now = self.clock.now();
            let mut st = self.st();
            let replayed = match st.replays.get(&key) {
                Some(Replay::Checkout(r)) if !st.legacy_checkout => Some(r.clone()),
                _ => None,
            };
            if let Some(r) = replayed {
                r
            } else {
                let r = Self::do_checkout(&mut st, customer_id, cart_id, now, fault)
                    .map(|o| Self::garble(o, fault));
                st.replays.insert(key, Replay::Checkout(r.clone()));
                r
            }
        };
        self.leave(fault, result).await
    }

    async fn get_order(
        &self,
        customer_id: &str,
        order_id: &str,
    ) -> Result<OrderInfo, CommerceError> {
        let fault = self.enter("get order", None).await;
        if let Some(e) = read_error(fault) {
            return Err(e);
        }
        let st = self.st();
        let o = st
            .orders
            .iter()
            .find(|o| o.order_id == order_id && o.customer_id == customer_id)
            .ok_or(CommerceError::Definite {
                code: "404".into(),
                description: "order not found".into(),
            })?;
        Ok(OrderInfo {
            order_id: o.order_id.clone(),
            status: if o.cancelled {
                OrderStatus::Cancelled
            } else {
                OrderStatus::Completed
            },
            lines: o
                .lines
                .iter()
                .map(|(_, cat, qty, ctx)| PlacedOrderLine {
                    catalog_item_id: cat.clone(),
                    quantity: *qty,
                    provisioning_context: ctx.clone(),
                    price: None,
                })
                .collect(),
        })
    }

    async fn resolve_line(
        &self,
        _customer_id: &str,
        line: &PurchaseLine,
    ) -> Result<PurchaseLine, CommerceError> {
        let fault = self.enter("resolve", None).await;
        if let Some(e) = read_error(fault) {
            return Err(e);
        }
        let mut fresh = line.clone();
        fresh.catalog_item_id = self.catalog_item_id(&line.product_id, &line.sku_id);
        Ok(fresh)
    }
}

impl FakeWorld {
    /// Applies a checkout-answer fault to a (real) checkout result.
    fn garble(mut outcome: CheckoutOutcome, fault: Fault) -> CheckoutOutcome {
        match fault {
            Fault::CheckoutEmpty => CheckoutOutcome::default(),
            Fault::CheckoutDuplicate => {
                let twice = outcome.orders.clone();
                outcome.orders.extend(twice);
                outcome
            }
            Fault::CheckoutOtherCustomer => {
                for o in &mut outcome.orders {
                    o.customer_id = Some("0c0c0c0c-0000-4000-8000-00000000000c".into());
                }
                outcome
            }
            _ => outcome,
        }
    }

    fn do_checkout(
        st: &mut State,
        customer_id: &str,
        cart_id: &str,
        now: DateTime<Utc>,
        fault: Fault,
    ) -> Result<CheckoutOutcome, CommerceError> {
        let cart = match st.carts.get(cart_id) {
            Some(c) if c.customer_id == customer_id => c.clone(),
            _ => return Err(CommerceError::CartNotFound),
        };
        if let Some(r) = &cart.result {
            if st.legacy_checkout {
                return Err(CommerceError::Definite {
                    code: "800065".into(),
                    description: "cart already submitted".into(),
                });
            }
            return Ok(r.clone()); // idempotent per cart
        }
        if cart.expires_at <= now {
            return Err(CommerceError::CartExpired);
        }
        for l in &cart.lines {
            let v = st
                .availability
                .get(&(l.line.product_id.clone(), l.line.sku_id.clone()))
                .copied()
                .unwrap_or(0);
            let current = format!("{}:{}:AV{v}", l.line.product_id, l.line.sku_id);
            if l.line.catalog_item_id != current {
                return Err(CommerceError::AvailabilityNotFound);
            }
        }
        let mut groups: BTreeMap<String, Vec<&CartLine>> = BTreeMap::new();
        for l in &cart.lines {
            groups.entry(l.line.product_id.clone()).or_default().push(l);
        }
        let first_group = cart.lines.first().map(|l| l.line.product_id.clone());
        let mut outcome = CheckoutOutcome::default();
        let mut new_orders = Vec::new();
        for (group, lines) in groups {
            let fails = st.failing_products.contains(&group)
                || (fault == Fault::FailGroup && Some(&group) == first_group.as_ref());
            if fails {
                outcome.order_errors.push(OrderGroupError {
                    order_group: group,
                    code: "800069".into(),
                    description: "order failed risk check".into(),
                });
                continue;
            }
            st.next_id += 1;
            let order_id = format!("order-{:04}", st.next_id);
            outcome.orders.push(PlacedOrder {
                order_id: order_id.clone(),
                customer_id: Some(customer_id.to_owned()),
                lines: lines
                    .iter()
                    .map(|l| PlacedOrderLine {
                        catalog_item_id: l.line.catalog_item_id.clone(),
                        quantity: l.line.quantity,
                        provisioning_context: l.line.provisioning_context.clone(),
                        price: None,
                    })
                    .collect(),
            });
            new_orders.push(FakeOrder {
                order_id,
                customer_id: customer_id.to_owned(),
                lines: lines
                    .iter()
                    .map(|l| {
                        (
                            l.line.key.clone(),
                            l.line.catalog_item_id.clone(),
                            l.line.quantity,
                            l.line.provisioning_context.clone(),
                        )
                    })
                    .collect(),
                cancelled: false,
                visible_at_tick: st.tick + st.entitlement_lag,
            });
        }
        st.orders.extend(new_orders);
        if let Some(c) = st.carts.get_mut(cart_id) {
            c.status = CartStatus::Ordered;
            c.result = Some(outcome.clone());
        }
        Ok(outcome)
    }
}

/// A clock that only moves when the engine sleeps.
pub struct FakeClock(Mutex<DateTime<Utc>>);

impl Default for FakeClock {
    fn default() -> Self {
        FakeClock(Mutex::new(
            Utc.with_ymd_and_hms(2026, 3, 1, 10, 0, 0)
                .single()
                .expect("valid"),
        ))
    }
}

impl Clock for FakeClock {
    /// Monotonic time: how far the clock has moved since 2026-03-01T10:00:00Z.
    fn now(&self) -> Duration {
        let start = FakeClock::default().now();
        (FakeClock::now(self) - start).to_std().unwrap_or_default()
    }
    /// Sleeping advances the fake clock and completes at once.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        self.advance(duration);
        Box::pin(futures::future::ready(()))
    }
    fn wall(&self) -> DateTime<Utc> {
        FakeClock::now(self)
    }
}

impl FakeClock {
    /// The fake wall-clock time.
    pub fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn advance(&self, d: Duration) {
        let mut t = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *t += ChronoDuration::from_std(d).expect("duration fits");
    }
}

/// Kills the world right after the K-th journal append (1-based) and refuses later appends: the
/// process died with exactly K records on disk.
pub struct KillAtAppend {
    pub world: FakeWorld,
    pub kill_at: Option<usize>,
    pub appends: AtomicUsize,
}

impl JournalHook for KillAtAppend {
    fn before_append(&self, _customer_id: &str, _record: &Record) -> Result<(), HookRefusal> {
        if self.world.is_killed() {
            Err("the process is dead".into())
        } else {
            Ok(())
        }
    }
    fn after_append(&self, _customer_id: &str, _record: &Record) {
        let n = self.appends.fetch_add(1, Ordering::SeqCst) + 1;
        if Some(n) == self.kill_at {
            self.world.kill();
        }
    }
}
