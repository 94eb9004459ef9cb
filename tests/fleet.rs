//! Fleet scale (issue 6), not timed: call economy per customer and for the catalog as the fleet
//! grows, the completed-order cache across runs, and the client's rate limiter driven by many
//! concurrent customers on a simulated clock (never over budget, close to it, adapting to 429s).

mod support;

mod calls;
mod sim;
