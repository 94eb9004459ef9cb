//! Observe: customer, subscriptions, registrations, entitlements and orders → attributed holdings,
//! as the plan's observed-state input. Read-only: it has no code path that writes.
