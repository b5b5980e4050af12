//! Names, not ids: boards, statuses, types, priorities, work types, members, companies and
//! contacts given by name resolve to records. [`matching`] matches a typed name against a
//! list (pure); [`lookups`] fetches the lists, through caches scoped by the caller's key
//! fingerprint, or searches ConnectWise. A name that matches nothing answers with the closest
//! valid ones.

pub mod complete;
mod lookups;
pub mod matching;

pub use lookups::several_configurations;

use crate::context::Ctx;

/// Name resolution for one call.
pub struct Names<'a> {
    ctx: &'a Ctx,
}

impl<'a> Names<'a> {
    pub fn new(ctx: &'a Ctx) -> Names<'a> {
        Names { ctx }
    }
}

/// "First Last" from a person's name parts, either of which may be missing.
pub fn full_name(first: &Option<String>, last: &Option<String>) -> String {
    format!(
        "{} {}",
        first.as_deref().unwrap_or(""),
        last.as_deref().unwrap_or("")
    )
    .trim()
    .to_string()
}
