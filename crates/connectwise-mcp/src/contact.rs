//! Contacting a customer is a privilege on a shared deployment (`MCP_CUSTOMER_CONTACT`): an
//! e-mail ConnectWise sends for us, or text the customer sees (a discussion or resolution note,
//! a ticket's first description, time-entry notes added to the ticket's discussion).
//!
//! Whether a call contacts the customer is not guessed from argument names: every tool declares
//! it, computed from its own typed arguments ([`crate::tools::CwTool::contacts_customer`],
//! which `tool!` requires of every tool that writes), and the pipeline checks that before
//! anything is sent. A tool whose answer depends on the record (correcting the notes of a time
//! entry that feeds the discussion) checks again with [`Permission::check`] once it knows.

use crate::auth::{Principal, Role};
use crate::errors::ToolError;

/// What one caller may do about customer contact on this server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permission {
    /// The least role that may (`None`: nobody, `MCP_CUSTOMER_CONTACT=never`).
    least: Option<Role>,
    role: Role,
    /// The machine's own user (stdio, dev mode): not limited.
    local: bool,
}

impl Permission {
    pub fn new(least: Option<Role>, who: &Principal) -> Permission {
        Permission {
            least,
            role: who.role,
            local: who.local,
        }
    }

    /// Nobody may: what a context has until the pipeline says who is calling.
    pub fn nobody() -> Permission {
        Permission {
            least: None,
            role: Role::Viewer,
            local: false,
        }
    }

    pub fn allowed(&self) -> bool {
        self.local || self.least.is_some_and(|least| self.role >= least)
    }

    /// Refuses `what` (e.g. "A discussion note (the customer sees it)") unless this caller
    /// may contact the customer; the refusal says who may and that nothing was written.
    pub fn check(&self, what: &str) -> Result<(), ToolError> {
        if self.allowed() {
            return Ok(());
        }
        let fix = "keep it internal (leave notify off, put the text in an internal note), or ask an administrator to do it";
        Err(ToolError::Denied(match self.least {
            Some(least) => format!(
                "{what} contacts the customer, which this server allows only to {}s and above (MCP_CUSTOMER_CONTACT={}); you are {}: {fix}. Nothing was written.",
                least.name(),
                least.name(),
                match self.role {
                    Role::Viewer => "a viewer",
                    Role::Editor => "an editor",
                    Role::Admin => "an admin",
                }
            ),
            None => format!(
                "{what} contacts the customer, which this server does not allow anyone to do (MCP_CUSTOMER_CONTACT=never): {fix}. Nothing was written."
            ),
        }))
    }
}

/// The declaration of a write tool that never contacts the customer, whatever its arguments.
pub fn never<A>(_: &A) -> Option<&'static str> {
    None
}

/// Said of `notify: true` by every tool that takes it.
pub const NOTIFY: &str = "notify: true (ConnectWise e-mails the customer)";

#[cfg(test)]
mod tests {
    use super::*;

    fn who(role: Role) -> Principal {
        Principal {
            label: "t".into(),
            role,
            local: false,
        }
    }

    #[test]
    fn the_least_role_decides_and_the_refusal_says_who_may() {
        let editor = Permission::new(Some(Role::Admin), &who(Role::Editor));
        let e = editor.check("A discussion note").unwrap_err().to_string();
        assert!(e.contains("only to admins and above"), "{e}");
        assert!(e.contains("you are an editor"), "{e}");
        assert!(e.contains("Nothing was written"), "{e}");
        assert!(Permission::new(Some(Role::Admin), &who(Role::Admin))
            .check("x")
            .is_ok());
        let never = Permission::new(None, &who(Role::Admin));
        assert!(never
            .check("x")
            .unwrap_err()
            .to_string()
            .contains("MCP_CUSTOMER_CONTACT=never"));
        let local = Permission::new(None, &Principal::local(Role::Admin));
        assert!(
            local.check("x").is_ok(),
            "the machine's own user is not limited"
        );
    }
}
