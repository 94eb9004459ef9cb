//! The partner activity log (partner-center-api.md §14): `GET /v1/auditrecords`, read-only,
//! every page (seek-based paging through `links.next` and its continuation token).

use crate::partner_center::Client;
use crate::partner_center::error::ApiError;
use crate::partner_center::http::{Call, Category};
use crate::partner_center::wire::audit::{AuditQuery, AuditRecord};

impl Client {
    /// `GET /v1/auditrecords?startDate=…[&endDate=…]&size=…[&filter=…]`, every page.
    pub async fn list_audit_records(
        &self,
        query: &AuditQuery,
    ) -> Result<Vec<AuditRecord>, ApiError> {
        let pairs = query.query_pairs();
        let q: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let url = self.url(&["auditrecords"], &q);
        self.collect_pages(Call::get(url, Category::Order, None))
            .await
    }
}
