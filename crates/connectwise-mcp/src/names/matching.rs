//! Matching what a person typed against a list of names: by id, exact name, or a unique
//! loose match (letters and digits only, case-insensitive), and otherwise a "did you mean"
//! answer listing the closest and the valid names. Pure: no ConnectWise calls.

use crate::errors::ToolError;

/// Letters and digits only, lower-cased: `>Closed - No response` ~ `closed no response`.
fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Picks the item `wanted` names (by id, exact name, or a unique loose match), or explains
/// what the valid names are.
pub fn pick<'a, T>(
    kind: &str,
    wanted: &str,
    items: &'a [T],
    name: impl Fn(&T) -> String,
    id: impl Fn(&T) -> Option<i64>,
) -> Result<&'a T, ToolError> {
    let w = wanted.trim();
    if let Ok(n) = w.parse::<i64>() {
        if let Some(x) = items.iter().find(|x| id(x) == Some(n)) {
            return Ok(x);
        }
    }
    let exact: Vec<&T> = items
        .iter()
        .filter(|x| name(x).eq_ignore_ascii_case(w))
        .collect();
    if let [one] = exact.as_slice() {
        return Ok(one);
    }
    let nw = norm(w);
    let loose: Vec<&T> = items
        .iter()
        .filter(|x| !nw.is_empty() && norm(&name(x)) == nw)
        .collect();
    match loose.as_slice() {
        [one] => return Ok(one),
        [_, _, ..] => {
            let names: Vec<String> = loose.iter().map(|x| format!("\"{}\"", name(x))).collect();
            return Err(ToolError::invalid(format!(
                "{kind} \"{w}\" is ambiguous: {}. Use the exact name.",
                names.join(", ")
            )));
        }
        [] => {}
    }
    // Any unique part, as the server instructions promise ("help" is "Help Desk").
    let part: Vec<&T> = items
        .iter()
        .filter(|x| nw.chars().count() >= 3 && norm(&name(x)).contains(&nw))
        .collect();
    if let [one] = part.as_slice() {
        return Ok(one);
    }
    Err(ToolError::invalid(no_match(
        kind,
        w,
        items.iter().map(name).collect(),
    )))
}

/// "No status named X. Did you mean …? Valid: …".
pub fn no_match(kind: &str, wanted: &str, names: Vec<String>) -> String {
    let nw = norm(wanted);
    let mut scored: Vec<(f64, &String)> = names
        .iter()
        .map(|n| {
            let nn = norm(n);
            let mut s = strsim::jaro_winkler(&nw, &nn);
            if !nw.is_empty() && (nn.contains(&nw) || nw.contains(&nn)) {
                s += 0.3;
            }
            (s, n)
        })
        .collect();
    scored.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
    let close: Vec<String> = scored
        .iter()
        .filter(|(s, _)| *s >= 0.75)
        .take(3)
        .map(|(_, n)| format!("\"{n}\""))
        .collect();
    let mut msg = format!("No {kind} named \"{wanted}\".");
    if !close.is_empty() {
        msg.push_str(&format!(" Did you mean {}?", close.join(" or ")));
    }
    if !names.is_empty() {
        let shown: Vec<&str> = names.iter().take(25).map(String::as_str).collect();
        msg.push_str(&format!(
            " Valid choices: {}{}",
            shown.join(", "),
            if names.len() > 25 { ", …" } else { "" }
        ));
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_by_exact_loose_and_suggests() {
        let names = vec![
            ">Closed".to_string(),
            ">Closed - No response".to_string(),
            "New".to_string(),
            "In Progress".to_string(),
        ];
        let p = |w: &str| pick("status", w, &names, |s| s.clone(), |_| None).cloned();
        assert_eq!(p(">closed").unwrap(), ">Closed");
        assert_eq!(p("closed").unwrap(), ">Closed");
        assert_eq!(p("in-progress").unwrap(), "In Progress");
        let e = p("Closd").unwrap_err().to_string();
        assert!(e.contains("Did you mean \">Closed\""), "{e}");
        assert!(
            e.contains("Valid choices: >Closed, >Closed - No response, New, In Progress"),
            "{e}"
        );
    }
}
