//! Plan rendering: snapshot tests of the text, JSON and Markdown output on a multi-customer
//! fixture modelled on the sandbox demo world, Markdown trimming, and saved plans (`show`).

mod fixture;
mod markdown_fallback;
mod saved;
mod snapshots;
