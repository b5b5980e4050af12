//! Every ConnectWise operation the client can perform, as data. Requests are built only from
//! these, so `tests/contract.rs` can prove each exists in ConnectWise's published contract.

/// An HTTP method and a path template exactly as ConnectWise's contract spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    pub method: &'static str,
    pub path: &'static str,
}

impl Endpoint {
    /// The path with `{parentId}` then `{id}` filled in, in that order.
    pub fn fill(&self, args: &[i64]) -> String {
        let mut out = String::with_capacity(self.path.len() + 16);
        let mut it = args.iter();
        for seg in self.path.split('/').skip(1) {
            out.push('/');
            if seg.starts_with('{') {
                match it.next() {
                    Some(v) => out.push_str(&v.to_string()),
                    None => out.push_str(seg),
                }
            } else {
                out.push_str(seg);
            }
        }
        out
    }
}

macro_rules! endpoints {
    ($($name:ident = $method:literal $path:literal;)*) => {
        $(pub const $name: Endpoint = Endpoint { method: $method, path: $path };)*
        /// All of them, for the contract test.
        pub const ALL: &[Endpoint] = &[$($name),*];
    };
}

endpoints! {
    TICKETS = "GET" "/service/tickets";
    TICKETS_COUNT = "GET" "/service/tickets/count";
    TICKETS_SEARCH = "POST" "/service/tickets/search";
    TICKET = "GET" "/service/tickets/{id}";
    TICKET_CREATE = "POST" "/service/tickets";
    TICKET_PATCH = "PATCH" "/service/tickets/{id}";
    TICKET_NOTES = "GET" "/service/tickets/{parentId}/notes";
    TICKET_NOTE = "GET" "/service/tickets/{parentId}/notes/{id}";
    TICKET_NOTE_CREATE = "POST" "/service/tickets/{parentId}/notes";
    TICKET_ALL_NOTES = "GET" "/service/tickets/{parentId}/allNotes";
    TICKET_CONFIGURATIONS = "GET" "/service/tickets/{parentId}/configurations";
    TICKET_CONFIGURATION_ATTACH = "POST" "/service/tickets/{parentId}/configurations";
    BOARDS = "GET" "/service/boards";
    BOARD_STATUSES = "GET" "/service/boards/{parentId}/statuses";
    BOARD_TYPES = "GET" "/service/boards/{parentId}/types";
    PRIORITIES = "GET" "/service/priorities";
    TIME_ENTRIES = "GET" "/time/entries";
    TIME_ENTRIES_COUNT = "GET" "/time/entries/count";
    TIME_ENTRY = "GET" "/time/entries/{id}";
    TIME_ENTRY_CREATE = "POST" "/time/entries";
    TIME_SHEETS = "GET" "/time/sheets";
    WORK_TYPES = "GET" "/time/workTypes";
    WORK_ROLES = "GET" "/time/workRoles";
    COMPANIES = "GET" "/company/companies";
    COMPANY = "GET" "/company/companies/{id}";
    CONTACTS = "GET" "/company/contacts";
    CONTACTS_COUNT = "GET" "/company/contacts/count";
    CONTACT = "GET" "/company/contacts/{id}";
    CONFIGURATIONS = "GET" "/company/configurations";
    CONFIGURATIONS_COUNT = "GET" "/company/configurations/count";
    CONFIGURATION = "GET" "/company/configurations/{id}";
    MEMBERS = "GET" "/system/members";
    SYSTEM_INFO = "GET" "/system/info";
    OPPORTUNITIES = "GET" "/sales/opportunities";
    ACTIVITIES = "GET" "/sales/activities";
    AGREEMENTS = "GET" "/finance/agreements";
    PROJECTS = "GET" "/project/projects";
    SCHEDULE_ENTRIES = "GET" "/schedule/entries";
    SCHEDULE_ENTRY = "GET" "/schedule/entries/{id}";
    SCHEDULE_ENTRY_CREATE = "POST" "/schedule/entries";
    SCHEDULE_ENTRY_PATCH = "PATCH" "/schedule/entries/{id}";
    SCHEDULE_ENTRY_DELETE = "DELETE" "/schedule/entries/{id}";
    TICKET_TASKS = "GET" "/service/tickets/{parentId}/tasks";
    TICKET_TASK = "GET" "/service/tickets/{parentId}/tasks/{id}";
    TICKET_TASK_CREATE = "POST" "/service/tickets/{parentId}/tasks";
    TICKET_TASK_PATCH = "PATCH" "/service/tickets/{parentId}/tasks/{id}";
    BOARD = "GET" "/service/boards/{id}";
    BOARD_TEAMS = "GET" "/service/boards/{parentId}/teams";
    SERVICE_TEAMS = "GET" "/service/teams";
    SOURCES = "GET" "/service/sources";
    TIME_ENTRY_PATCH = "PATCH" "/time/entries/{id}";
    TIME_SHEET = "GET" "/time/sheets/{id}";
    TIME_SHEET_SUBMIT = "POST" "/time/sheets/{id}/submit";
    COMPANY_SITES = "GET" "/company/companies/{parentId}/sites";
    INVOICES = "GET" "/finance/invoices";
    MEMBER = "GET" "/system/members/{id}";
    AGREEMENT = "GET" "/finance/agreements/{id}";
}

/// `GET /system/myAccount` is served by tenants but missing from the published contract; the
/// client calls it only to find "me" and treats a 404 as "not available here".
pub const MY_ACCOUNT: Endpoint = Endpoint {
    method: "GET",
    path: "/system/myAccount",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_puts_parent_then_id() {
        assert_eq!(TICKET_NOTE.fill(&[5, 9]), "/service/tickets/5/notes/9");
        assert_eq!(TICKETS.fill(&[]), "/service/tickets");
    }
}
