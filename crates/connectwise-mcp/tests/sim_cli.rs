//! `connectwise-mcp sim` as a newcomer runs it: the first stdout line is the credentials
//! object, and the site answers ConnectWise-style requests with those credentials.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

struct Kill(Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn sim_prints_credentials_first_and_serves_them() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_connectwise-mcp"))
        .args(["sim", "--port", "0", "--seed", "3"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().unwrap();
    let _guard = Kill(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let creds: serde_json::Value = serde_json::from_str(&line).expect("first line is JSON");
    let site = creds["site"].as_str().unwrap();
    assert!(site.starts_with("http://127.0.0.1:"));
    assert_eq!(creds["companyId"], "harborview");
    let members = creds["members"].as_array().unwrap();
    let roles: Vec<&str> = members
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert!(roles.contains(&"Technician") && roles.contains(&"API Read Only"));
    let tech = members.iter().find(|m| m["role"] == "Technician").unwrap();
    let r = reqwest::Client::new()
        .get(format!(
            "{}/service/tickets",
            creds["apiBase"].as_str().unwrap()
        ))
        .query(&[
            (
                "conditions",
                format!(
                    "owner/identifier = \"{}\"",
                    tech["identifier"].as_str().unwrap()
                ),
            ),
            ("pageSize", "3".to_string()),
        ])
        .basic_auth(
            format!("harborview+{}", tech["publicKey"].as_str().unwrap()),
            tech["privateKey"].as_str(),
        )
        .header("clientId", creds["clientId"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let tickets: Vec<serde_json::Value> = r.json().await.unwrap();
    assert_eq!(tickets.len(), 3);
    assert!(tickets
        .iter()
        .all(|t| t["owner"]["identifier"] == tech["identifier"]));
}

#[test]
fn bad_scale_is_a_clear_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_connectwise-mcp"))
        .args(["sim", "--scale", "enormous"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("use demo, small, medium, large or a ticket count"),
        "{err}"
    );
}
