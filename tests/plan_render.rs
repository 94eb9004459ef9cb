//! Plan rendering: snapshot tests of the text, JSON and Markdown output on a multi-customer
//! fixture modelled on the sandbox demo world, Markdown trimming, and saved plans (`show`).

#[path = "plan_render/fixture.rs"]
mod fixture;
#[path = "plan_render/saved.rs"]
mod saved;
#[path = "plan_render/snapshots.rs"]
mod snapshots;
