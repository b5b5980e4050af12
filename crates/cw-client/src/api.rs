//! Typed operations over the endpoints: lists with exact `has_more`, counts, single records,
//! creates and patches. Tools call these; they never build URLs or JSON by hand.

use cw_conditions::Expr;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::endpoints::{self, Endpoint};
use crate::error::{Error, Result};
use crate::http::CwClient;
use crate::models::{MyAccount, SystemInfo};
use crate::patch::PatchOp;
use crate::query::{next_link, ListQuery, Page};

/// Above this many characters of conditions a ticket search goes by `POST …/search`, keeping
/// the URL under the ~2,000 characters ConnectWise recommends.
const LONG_CONDITIONS: usize = 1500;

impl CwClient {
    /// One page of a list.
    pub async fn list<T: DeserializeOwned>(
        &self,
        ep: Endpoint,
        args: &[i64],
        q: &ListQuery,
    ) -> Result<Page<T>> {
        let long = q
            .conditions
            .as_ref()
            .is_some_and(|c| c.render().len() > LONG_CONDITIONS);
        let (items, link): (Vec<T>, _) = if long && ep == endpoints::TICKETS {
            // Filters travel in the body; fields and paging stay in the query string.
            let mut body = serde_json::Map::new();
            let mut query = Vec::new();
            for (k, v) in q.pairs() {
                match k {
                    "conditions" | "childConditions" | "orderBy" => {
                        body.insert(k.into(), Value::String(v));
                    }
                    _ => query.push((k, v)),
                }
            }
            self.json(
                endpoints::TICKETS_SEARCH,
                args,
                &query,
                Some(&Value::Object(body)),
            )
            .await?
        } else if long {
            return Err(Error::Invalid(
                "the filter is too long for ConnectWise; narrow it".into(),
            ));
        } else {
            self.json(ep, args, &q.pairs(), None).await?
        };
        Ok(Page {
            has_more: next_link(link.as_deref()).is_some(),
            items,
            page: q.page,
            page_size: q.page_size,
        })
    }

    /// Every record matching `q` (up to `max`), by ConnectWise's forward-only paging: pages
    /// follow ids (`pageId`), which stays fast and consistent on large tables where deep
    /// `page=` offsets do not. `q.page` and `q.order_by` are ignored (results come by id).
    pub async fn list_forward<T: DeserializeOwned>(
        &self,
        ep: Endpoint,
        args: &[i64],
        q: &ListQuery,
        max: usize,
    ) -> Result<Vec<T>> {
        let mut out: Vec<T> = Vec::new();
        let mut page_id: Option<String> = None;
        loop {
            let mut query: Vec<(&str, String)> = q
                .pairs()
                .into_iter()
                .filter(|(k, _)| !matches!(*k, "page" | "orderBy"))
                .collect();
            if let Some(p) = &page_id {
                query.push(("pageId", p.clone()));
            }
            let raw = self.call_with(ep, args, &query, None, true).await?;
            let items: Vec<T> = serde_json::from_slice(&raw.body)
                .map_err(|e| Error::Decode(format!("{} {}: {e}", ep.method, ep.path)))?;
            let got = items.len();
            out.extend(items);
            let next = next_link(raw.link.as_deref()).and_then(|n| n.page_id);
            match next {
                Some(id) if got > 0 && out.len() < max => page_id = Some(id),
                _ => break,
            }
        }
        out.truncate(max);
        Ok(out)
    }

    /// `…/count` with the same conditions.
    pub async fn count(
        &self,
        ep: Endpoint,
        args: &[i64],
        conditions: Option<&Expr>,
    ) -> Result<u64> {
        #[derive(serde::Deserialize)]
        struct Count {
            count: u64,
        }
        let q: Vec<(&str, String)> = conditions
            .map(|c| vec![("conditions", c.render())])
            .unwrap_or_default();
        Ok(self.json::<Count>(ep, args, &q, None).await?.0.count)
    }

    /// One record, with only `fields`.
    pub async fn get<T: DeserializeOwned>(
        &self,
        ep: Endpoint,
        args: &[i64],
        fields: &str,
    ) -> Result<T> {
        let q: Vec<(&str, String)> = if fields.is_empty() {
            vec![]
        } else {
            vec![("fields", fields.to_string())]
        };
        Ok(self.json(ep, args, &q, None).await?.0)
    }

    /// Creates a record. Sent once, never retried.
    pub async fn create<T: DeserializeOwned>(
        &self,
        ep: Endpoint,
        args: &[i64],
        body: &impl Serialize,
    ) -> Result<T> {
        let v = serde_json::to_value(body).map_err(|e| Error::Invalid(e.to_string()))?;
        Ok(self.json(ep, args, &[], Some(&v)).await?.0)
    }

    /// Applies a JSON Patch. Sent once, never retried.
    pub async fn patch<T: DeserializeOwned>(
        &self,
        ep: Endpoint,
        args: &[i64],
        ops: &[PatchOp],
    ) -> Result<T> {
        let v = serde_json::to_value(ops).map_err(|e| Error::Invalid(e.to_string()))?;
        Ok(self.json(ep, args, &[], Some(&v)).await?.0)
    }

    /// Deletes a record (ConnectWise answers 204, no body). Sent once, never retried.
    pub async fn delete(&self, ep: Endpoint, args: &[i64]) -> Result<()> {
        self.call(ep, args, &[], None).await.map(|_| ())
    }

    /// `/system/info`: also the cheapest way to check credentials.
    pub async fn system_info(&self) -> Result<SystemInfo> {
        self.get(endpoints::SYSTEM_INFO, &[], "").await
    }

    /// `/system/myAccount`, or `None` where the server does not have it (some on-prem versions).
    pub async fn my_account(&self) -> Result<Option<MyAccount>> {
        match self
            .get(endpoints::MY_ACCOUNT, &[], MyAccount::FIELDS)
            .await
        {
            Ok(a) => Ok(Some(a)),
            Err(Error::Api(a)) if a.status == 404 => Ok(None),
            Err(e) => Err(e),
        }
    }
}
