//! The service boards with their statuses, types, subtypes and items. Each board says what
//! lands on it, which is what tickets and projects choose boards by.

use chrono::Duration;
use serde_json::json;

use super::{info, Gen};
use crate::kind::Kind;

/// What a board is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Work {
    /// Customers' requests and incidents, mostly by e-mail.
    Requests,
    /// Monitoring alerts: alert summaries, the "Monitoring" source, devices attached half the time.
    Alerts,
    /// Project work; projects live on it.
    Projects,
}

/// A generated board: its id and name, and the ids of what belongs to it.
pub(super) struct Board {
    pub id: i64,
    pub name: &'static str,
    pub work: Work,
    /// (status id, closes a ticket), in board order; the first is the board's default.
    pub statuses: Vec<(i64, bool)>,
    pub types: Vec<i64>,
    pub subtypes: Vec<i64>,
    pub items: Vec<i64>,
}

/// The share of tickets each board gets, in percent, in board order (Help Desk, Field
/// Services, Network Operations, Professional Services).
pub(super) const TICKET_SHARE: [u32; 4] = [60, 15, 20, 5];

/// The board that does `work` (the first, when several do).
pub(super) fn board_for(boards: &[Board], work: Work) -> Option<&Board> {
    boards.iter().find(|b| b.work == work)
}

impl Gen {
    pub(super) fn boards(&mut self) -> Vec<Board> {
        let at = self.anchor - Duration::days(1000);
        // (board, what lands on it, statuses (name, closed, default, escalation))
        type StatusSpec = (&'static str, bool, bool, &'static str);
        let specs: &[(&str, Work, &[StatusSpec])] = &[
            (
                "Help Desk",
                Work::Requests,
                &[
                    ("New", false, true, "NotResponded"),
                    ("Assigned", false, false, "Responded"),
                    ("In Progress", false, false, "ResolutionPlan"),
                    ("Waiting on Customer", false, false, "ResolutionPlan"),
                    ("Scheduled", false, false, "ResolutionPlan"),
                    ("Escalated", false, false, "ResolutionPlan"),
                    ("Resolved", false, false, "Resolved"),
                    (">Closed", true, false, "Resolved"),
                    (">Closed - No response", true, false, "Resolved"),
                ],
            ),
            (
                "Field Services",
                Work::Requests,
                &[
                    ("New", false, true, "NotResponded"),
                    ("Dispatched", false, false, "Responded"),
                    ("Onsite", false, false, "ResolutionPlan"),
                    ("Waiting on Parts", false, false, "ResolutionPlan"),
                    ("Completed", true, false, "Resolved"),
                ],
            ),
            (
                "Network Operations",
                Work::Alerts,
                &[
                    ("New (Alert)", false, true, "NotResponded"),
                    ("Investigating", false, false, "Responded"),
                    ("Monitoring", false, false, "ResolutionPlan"),
                    (">Closed", true, false, "Resolved"),
                ],
            ),
            (
                "Professional Services",
                Work::Projects,
                &[
                    ("New", false, true, "NotResponded"),
                    ("In Progress", false, false, "ResolutionPlan"),
                    ("Ready for Review", false, false, "ResolutionPlan"),
                    (">Closed", true, false, "Resolved"),
                ],
            ),
        ];
        let dispatcher = self.refer(Kind::Member, 2);
        let manager = self.refer(Kind::Member, 1);
        let mut boards = Vec::new();
        for (bname, work, statuses) in specs {
            let id = self.s.insert(
                Kind::Board,
                json!({
                    "name": bname,
                    "location": {"id": 1, "name": "Main Office"},
                    "department": {"id": 1, "name": "Service"},
                    "inactiveFlag": false,
                    "projectFlag": false,
                    "dispatchMember": dispatcher,
                    "serviceManagerMember": manager,
                    "timeEntryDiscussionFlag": true,
                    "_info": info(at, "amorgan"),
                }),
            );
            let bref = json!({"id": id, "name": bname});
            let mut b = Board {
                id,
                name: bname,
                work: *work,
                statuses: vec![],
                types: vec![],
                subtypes: vec![],
                items: vec![],
            };
            for (i, (name, closed, def, esc)) in statuses.iter().enumerate() {
                let sid = self.s.insert(
                    Kind::BoardStatus,
                    json!({
                        "name": name, "board": bref, "sortOrder": i as i64, "displayOnBoard": true,
                        "inactive": false, "closedStatus": closed, "timeEntryNotAllowed": *closed,
                        "defaultFlag": def, "escalationStatus": esc, "customerPortalFlag": true,
                        "_info": info(at, "amorgan"),
                    }),
                );
                b.statuses.push((sid, *closed));
            }
            for (name, cat) in [
                ("Incident", "Reactive"),
                ("Service Request", "Reactive"),
                ("Problem", "Reactive"),
                ("Maintenance", "Proactive"),
            ] {
                b.types.push(self.s.insert(Kind::BoardType, json!({
                    "name": name, "category": cat, "defaultFlag": name == "Incident", "inactiveFlag": false,
                    "board": bref, "_info": info(at, "amorgan"),
                })));
            }
            for name in [
                "Email",
                "Network",
                "Printer",
                "Hardware",
                "Software",
                "Account / Access",
                "Backup",
                "Security",
            ] {
                b.subtypes.push(self.s.insert(Kind::BoardSubType, json!({
                    "name": name, "inactiveFlag": false, "board": bref, "_info": info(at, "amorgan"),
                })));
            }
            for name in [
                "Outlook",
                "VPN",
                "Firewall",
                "Laptop",
                "Server",
                "Wi-Fi",
                "MFA",
                "Microsoft 365",
            ] {
                b.items.push(self.s.insert(Kind::BoardItem, json!({
                    "name": name, "inactiveFlag": false, "board": bref, "_info": info(at, "amorgan"),
                })));
            }
            boards.push(b);
        }
        boards
    }
}
