//! `connectwise-mcp token --label NAME [--role ROLE]`: mints a role token and prints both the
//! line a client needs (the token) and the line the server needs (its digest), so the
//! plaintext never has to be stored on the server.

use clap::{Args, ValueEnum};

use crate::tokens;

#[derive(Args, Debug, Clone)]
pub struct TokenArgs {
    /// Who the token is for, as it appears in the audit trail (letters, digits, . _ @ -)
    #[arg(long)]
    pub label: String,
    /// The role it grants
    #[arg(long, value_enum, default_value_t = RoleArg::Editor)]
    pub role: RoleArg,
}

#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum RoleArg {
    Viewer,
    Editor,
    Admin,
}

pub fn run(a: TokenArgs) -> anyhow::Result<()> {
    let var = match a.role {
        RoleArg::Viewer => "MCP_TOKENS_VIEWER",
        RoleArg::Editor => "MCP_TOKENS_EDITOR",
        RoleArg::Admin => "MCP_TOKENS_ADMIN",
    };
    let (token, digest) = tokens::mint()
        .map_err(|e| anyhow::anyhow!("the operating system gave no randomness for a token: {e}"))?;
    // Parse what we print, so a label the server would refuse is refused here.
    let line = format!("{}:{digest}", a.label);
    tokens::Tokens::from_env(&|k: &str| (k == var).then(|| line.clone()))?;
    println!(
        "Token for {} (give it to them; it is shown once):\n  {token}\n",
        a.label
    );
    println!(
        "Server setting (add to {var}, comma-separated; holds only the digest):\n  {var}={line}\n"
    );
    println!("Or, with the token itself:\n  {var}={}:{token}", a.label);
    println!("\nClients send: Authorization: Bearer {token}");
    Ok(())
}
