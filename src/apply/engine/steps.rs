//! The cart steps of an intent, driven by [`super::Run::drive`]: create the cart, update it
//! after a rebuild, verify it against the journal right before checkout, check it out, and
//! reject or abandon a cart that is not what the journal says. Each step journals its outcome
//! before the next one may start.

use super::*;

impl<'a, C: Commerce> Run<'a, C> {
    pub(super) async fn create_cart(
        &mut self,
        view: &mut IntentView,
        request_id: &str,
    ) -> Result<Flow, JournalError> {
        let all: Vec<usize> = (0..view.lines.len()).collect();
        let lines = cart_lines(view, &all);
        let (commerce, customer_id) = (self.commerce, self.customer_id);
        let got = retry(&self.retry_ctx(), "create cart", || {
            commerce.create_cart(customer_id, &lines, request_id)
        })
        .await;
        match got {
            Ok(cart) => {
                let differences = cart_differences(view, &all, &cart);
                if !differences.is_empty() {
                    return self.reject(view, &cart.cart_id, differences).await;
                }
                self.verified.insert(cart.cart_id.clone());
                let (line_errors, line_groups) = cart_details(view, &cart);
                let record = Record::CartCreated {
                    at: self.opts.clock.wall(),
                    intent_id: view.intent_id.clone(),
                    cart_id: cart.cart_id.clone(),
                    expires_at: cart.expires_at,
                    line_errors: line_errors.clone(),
                    line_groups,
                };
                self.record(view, record).await?;
                self.event(ApplyEvent::CartCreated {
                    intent_id: view.intent_id.clone(),
                    cart_id: cart.cart_id.clone(),
                });
                for e in &line_errors {
                    let line = &view.lines[e.line];
                    self.out
                        .failures
                        .push(failure(line, &e.code, &e.description));
                }
                Ok(Flow::Continue)
            }
            Err(CommerceError::AvailabilityNotFound) => {
                self.fail_intent(view, &CommerceError::AvailabilityNotFound)
                    .await?;
                Ok(Flow::Rebuild(all))
            }
            Err(e) if is_ambiguous(&e) => Ok(Flow::Unknown("create cart")),
            Err(e) => {
                self.fail_intent(view, &e).await?;
                self.fail_lines(view, &all, &e.code(), &e.description());
                Ok(Flow::Continue)
            }
        }
    }

    pub(super) async fn update_cart(
        &mut self,
        view: &mut IntentView,
        cart_id: &str,
        request_id: Option<String>,
    ) -> Result<Flow, JournalError> {
        let active = view.active_lines();
        if active.is_empty() {
            self.abandon(view, "every line of the cart was refused")
                .await?;
            return Ok(Flow::Continue);
        }
        let removed: Vec<usize> = view.line_errors.iter().map(|e| e.line).collect();
        let request_id = match request_id {
            Some(r) => r,
            None => {
                let r = new_request_id();
                let record = Record::CartUpdateStarted {
                    at: self.opts.clock.wall(),
                    intent_id: view.intent_id.clone(),
                    cart_id: cart_id.to_owned(),
                    request_id: r.clone(),
                    removed_lines: removed.clone(),
                };
                self.record(view, record).await?;
                r
            }
        };
        self.event(ApplyEvent::CartLinesRemoved {
            cart_id: cart_id.to_owned(),
            lines: removed
                .iter()
                .filter_map(|i| view.lines.get(*i).map(|l| l.item_name.clone()))
                .collect(),
        });
        let lines = cart_lines(view, &active);
        let (commerce, customer_id) = (self.commerce, self.customer_id);
        let got = retry(&self.retry_ctx(), "update cart", || {
            commerce.update_cart(customer_id, cart_id, &lines, &request_id)
        })
        .await;
        match got {
            Ok(cart) => {
                let differences = cart_differences(view, &active, &cart);
                if !differences.is_empty() {
                    return self.reject(view, cart_id, differences).await;
                }
                self.verified.insert(cart_id.to_owned());
                let (_, line_groups) = cart_details(view, &cart);
                let record = Record::CartUpdateDone {
                    at: self.opts.clock.wall(),
                    intent_id: view.intent_id.clone(),
                    cart_id: cart_id.to_owned(),
                    line_groups,
                };
                self.record(view, record).await?;
                Ok(Flow::Continue)
            }
            Err(CommerceError::AvailabilityNotFound) => {
                self.abandon(
                    view,
                    "availability not found (400019) while updating the cart",
                )
                .await?;
                Ok(Flow::Rebuild(active))
            }
            Err(e) if is_ambiguous(&e) => Ok(Flow::Unknown("update cart")),
            Err(e) => {
                self.abandon(view, &format!("cart update failed: {e}"))
                    .await?;
                self.fail_lines(view, &active, &e.code(), &cart_gone_text(&e));
                Ok(Flow::Continue)
            }
        }
    }

    pub(super) async fn checkout(
        &mut self,
        view: &mut IntentView,
        cart_id: &str,
        request_id: Option<String>,
    ) -> Result<Flow, JournalError> {
        let active = view.active_lines();
        // DESIGN §5 step 7: a last look at the activity log before money moves (never for a
        // checkout already sent: resending it with the same request id is what is safe).
        if request_id.is_none()
            && let Some(check) = &self.opts.before_checkout
            && let Err(veto) = check.check(self.customer_id).await
        {
            let reason = crate::error_chain::one_line(&veto);
            self.abandon(view, &reason).await?;
            self.fail_lines(view, &active, "order-appeared", &reason);
            return Ok(Flow::Continue);
        }
        let request_id_was_sent = request_id.is_some();
        let request_id = match request_id {
            Some(r) => r,
            None => {
                let r = new_request_id();
                let record = Record::CheckoutStarted {
                    at: self.opts.clock.wall(),
                    intent_id: view.intent_id.clone(),
                    cart_id: cart_id.to_owned(),
                    request_id: r.clone(),
                };
                self.record(view, record).await?;
                r
            }
        };
        self.event(ApplyEvent::CheckoutSent {
            cart_id: cart_id.to_owned(),
            request_id: request_id.clone(),
        });
        let resent = request_id_was_sent;
        let (commerce, customer_id) = (self.commerce, self.customer_id);
        let (got, ambiguous) = retry_tracked(&self.retry_ctx(), "check out cart", || {
            commerce.checkout(customer_id, cart_id, &request_id)
        })
        .await;
        // A refusal after a checkout that may have gone through (a lost response, or a resumed
        // checkout) is only believed when the cart is still open: an `Ordered` cart means the
        // first checkout succeeded, whatever this answer says.
        if let Err(e) = &got
            && !is_ambiguous(e)
            && (ambiguous || resent)
            && !self.cart_still_open(cart_id).await
        {
            return Ok(Flow::Unknown("check out cart"));
        }
        match got {
            Ok(result) => {
                let checked = check_answer(customer_id, cart_id, &result);
                self.out.anomalies.extend(checked.anomalies.iter().cloned());
                if checked.empty {
                    return Ok(Flow::Unknown("check out cart"));
                }
                let (orders, order_errors) = map_checkout(view, &active, &checked.result);
                let missing = unaccounted(&active, &orders, &order_errors);
                if !missing.is_empty() {
                    let names: Vec<&str> = missing
                        .iter()
                        .filter_map(|i| view.lines.get(*i).map(|l| l.item_name.as_str()))
                        .collect();
                    self.out.anomalies.push(format!(
                        "the checkout of cart {cart_id} accounts for {} with neither an order \
                         nor an order error; whether they were ordered is unknown, so they stay \
                         pending",
                        names.join(", ")
                    ));
                    return Ok(Flow::Unknown("check out cart"));
                }
                let record = Record::CheckoutResult {
                    at: self.opts.clock.wall(),
                    intent_id: view.intent_id.clone(),
                    cart_id: cart_id.to_owned(),
                    orders: orders.clone(),
                    order_errors: order_errors.clone(),
                };
                self.record(view, record).await?;
                for order in &orders {
                    let status = if checked.unconfirmed.contains(&order.order_id) {
                        OrderOutcomeStatus::Unconfirmed
                    } else {
                        OrderOutcomeStatus::Placed
                    };
                    let outcome = self.order_outcome(view, order, status);
                    self.event(ApplyEvent::OrderPlaced {
                        order_id: order.order_id.clone(),
                        units: order.lines.iter().map(|l| l.quantity).sum(),
                    });
                    self.out.orders.push(outcome);
                }
                for err in &order_errors {
                    self.event(ApplyEvent::OrderGroupFailed {
                        order_group: err.order_group.clone(),
                        code: err.code.clone(),
                        description: err.description.clone(),
                    });
                    self.fail_lines(view, &err.lines, &err.code, &err.description);
                }
                Ok(Flow::Continue)
            }
            Err(CommerceError::AvailabilityNotFound) => {
                self.abandon(view, "availability not found (400019) at checkout")
                    .await?;
                Ok(Flow::Rebuild(active))
            }
            Err(e) if is_ambiguous(&e) => Ok(Flow::Unknown("check out cart")),
            Err(e @ (CommerceError::CartExpired | CommerceError::CartNotFound)) => {
                self.abandon(view, &format!("cart can no longer be checked out: {e}"))
                    .await?;
                self.fail_lines(view, &active, &e.code(), &cart_gone_text(&e));
                Ok(Flow::Continue)
            }
            Err(e) => {
                self.fail_intent(view, &e).await?;
                self.fail_lines(view, &active, &e.code(), &e.description());
                Ok(Flow::Continue)
            }
        }
    }

    /// Before a checkout of a cart not compared with the request in this run (a resumed
    /// intent): reads the cart and compares it. `Some(flow)` stops the checkout: the cart was
    /// rejected, or could not be read (the intent stays unfinished).
    pub(super) async fn verify_before_checkout(
        &mut self,
        view: &mut IntentView,
        cart_id: &str,
    ) -> Result<Option<Flow>, JournalError> {
        if self.verified.contains(cart_id) {
            return Ok(None);
        }
        let (commerce, customer_id) = (self.commerce, self.customer_id);
        let got = retry(&self.retry_ctx(), "read cart", || {
            commerce.get_cart(customer_id, cart_id)
        })
        .await;
        match got {
            Ok(Cart {
                status: CartStatus::Active,
                lines,
                ..
            }) => {
                let cart = Cart {
                    cart_id: cart_id.to_owned(),
                    expires_at: None,
                    status: CartStatus::Active,
                    lines,
                };
                let differences = cart_differences(view, &view.active_lines(), &cart);
                if !differences.is_empty() {
                    return self.reject(view, cart_id, differences).await.map(Some);
                }
                self.verified.insert(cart_id.to_owned());
                Ok(None)
            }
            // Already checked out: resending the same checkout returns its result. Gone or
            // expired: the checkout says so and the cart is abandoned.
            Ok(_) | Err(CommerceError::CartExpired | CommerceError::CartNotFound) => Ok(None),
            Err(_) => Ok(Some(Flow::Unknown("read cart"))),
        }
    }

    /// The cart differs from the request: journal it as rejected (never checked out) and fail
    /// every line of the intent, naming the differences.
    pub(super) async fn reject(
        &mut self,
        view: &mut IntentView,
        cart_id: &str,
        differences: Vec<String>,
    ) -> Result<Flow, JournalError> {
        let record = Record::CartRejected {
            at: self.opts.clock.wall(),
            intent_id: view.intent_id.clone(),
            cart_id: cart_id.to_owned(),
            differences: differences.clone(),
        };
        self.record(view, record).await?;
        let reason = format!(
            "cart {cart_id} differs from the request ({}); it was not checked out and nothing \
             was bought for this customer",
            differences.join("; ")
        );
        self.event(ApplyEvent::CartAbandoned {
            intent_id: view.intent_id.clone(),
            reason: reason.clone(),
        });
        let all: Vec<usize> = (0..view.lines.len()).collect();
        self.fail_lines(view, &all, "cart-mismatch", &reason);
        Ok(Flow::Continue)
    }

    /// Whether the cart can still be checked out (status `Active`), or is gone. `false` when it
    /// is `Ordered` or its state cannot be read.
    ///
    /// A cart that is gone (not found / expired) counts as open: carts live 7 days and the order
    /// of a checkout shows up in entitlements within minutes, so by the time a checked-out cart
    /// could have disappeared, `plan` sees its order as owned.
    pub(super) async fn cart_still_open(&self, cart_id: &str) -> bool {
        let (commerce, customer_id) = (self.commerce, self.customer_id);
        match retry(&self.retry_ctx(), "read cart", || {
            commerce.get_cart(customer_id, cart_id)
        })
        .await
        {
            Ok(cart) => cart.status == CartStatus::Active,
            Err(CommerceError::CartExpired | CommerceError::CartNotFound) => true,
            Err(_) => false,
        }
    }
}

fn cart_gone_text(e: &CommerceError) -> String {
    format!("{e}; the next plan proposes these lines again")
}
