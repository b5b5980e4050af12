//! Output pieces the tools share: where a page sits, and cleaned labels and times for text
//! renderings.

use cw_client::models::Ref;
use cw_client::Page;
use schemars::JsonSchema;
use serde::Serialize;

use crate::untrusted;

/// Where a page sits and how to get the next one.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PageInfo {
    pub page: u32,
    pub page_size: u32,
    pub returned: usize,
    /// Whether ConnectWise has more results after this page.
    pub has_more: bool,
    /// The `page` to ask for next, when there is more.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page: Option<u32>,
}

impl PageInfo {
    pub fn of<T>(p: &Page<T>) -> PageInfo {
        PageInfo {
            page: p.page,
            page_size: p.page_size,
            returned: p.items.len(),
            has_more: p.has_more,
            next_page: p.has_more.then_some(p.page + 1),
        }
    }

    /// The closing line of a list rendering.
    pub fn footer(&self) -> String {
        match self.next_page {
            Some(n) => format!(
                "Page {} ({} shown); more results: call again with page={n}.",
                self.page, self.returned
            ),
            None if self.returned == 0 && self.page == 1 => "No results.".into(),
            None => format!(
                "Page {} ({} shown); no more results.",
                self.page, self.returned
            ),
        }
    }
}

/// A text field from ConnectWise that is not free-form customer prose (names, summaries):
/// control and invisible characters removed.
pub fn clean(s: &Option<String>) -> Option<String> {
    s.as_deref().map(untrusted::clean).filter(|s| !s.is_empty())
}

/// The label of a reference, cleaned.
pub fn label(r: &Option<Ref>) -> Option<String> {
    r.as_ref().and_then(|r| r.label()).map(untrusted::clean)
}

/// Hours as shown: to the hundredth.
pub fn hours(h: f64) -> f64 {
    (h * 100.0).round() / 100.0
}

/// A member reference as its identifier.
pub fn ident(r: &Option<Ref>) -> Option<String> {
    r.as_ref()
        .and_then(|r| r.identifier.as_deref().or(r.name.as_deref()))
        .map(untrusted::clean)
}

/// `2026-11-18T09:30:00Z` → `2026-11-18 09:30Z`, for text renderings. Anything else (a
/// date alone, or text that is not a time at all) is shown as it is.
pub fn short_time(s: &Option<String>) -> String {
    match s.as_deref() {
        Some(t) => match (t.get(..10), t.get(10..11), t.get(11..16)) {
            (Some(day), Some("T"), Some(hm)) => format!("{day} {hm}Z"),
            _ => t.to_string(),
        },
        None => "?".into(),
    }
}

/// One thing a record says, for a record shown as its non-empty facts in reading order.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Fact {
    pub what: String,
    pub value: String,
}

/// The facts that have a value, in the order given.
pub fn facts<const N: usize>(pairs: [(&str, Option<String>); N]) -> Vec<Fact> {
    pairs
        .into_iter()
        .filter_map(|(k, v)| {
            v.map(|value| Fact {
                what: k.to_string(),
                value,
            })
        })
        .collect()
}

/// Facts as one `what: value; …` line.
pub fn facts_line(facts: &[Fact]) -> String {
    facts
        .iter()
        .map(|f| format!("{}: {}", f.what, f.value))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::short_time;

    #[test]
    fn short_times_never_split_a_character() {
        assert_eq!(
            short_time(&Some("2026-11-18T09:30:00Z".into())),
            "2026-11-18 09:30Z"
        );
        assert_eq!(short_time(&Some("2026-11-18".into())), "2026-11-18");
        let odd = "ääääääääääääääääää".to_string();
        assert_eq!(short_time(&Some(odd.clone())), odd);
        assert_eq!(short_time(&None), "?");
    }
}
