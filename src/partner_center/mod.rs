//! The Partner Center client: HTTP, auth, headers, retry/backoff, rate limiting, paging, wire
//! types and API errors. Knows nothing about manifests or plans.
