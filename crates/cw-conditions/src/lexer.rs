//! Tokens of the conditions language, with their byte offsets for error messages.

use crate::parser::ParseError;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// A bare word: a field path, or a keyword the parser recognises case-insensitively.
    Word(String),
    Str(String),
    /// A number as written (sign, digits, optional fraction).
    Num(String),
    /// The text inside `[...]`.
    Date(String),
    Sym(&'static str),
    LParen,
    RParen,
    Comma,
}

impl Tok {
    pub(crate) fn describe(&self) -> String {
        match self {
            Tok::Word(w) => format!("`{w}`"),
            Tok::Str(_) => "a string".into(),
            Tok::Num(n) => format!("number `{n}`"),
            Tok::Date(d) => format!("date `[{d}]`"),
            Tok::Sym(s) => format!("`{s}`"),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::Comma => "`,`".into(),
        }
    }
}

/// Splits `src` into tokens paired with their starting byte offset.
pub(crate) fn lex(src: &str) -> Result<Vec<(usize, Tok)>, ParseError> {
    let mut out = Vec::new();
    let mut it = src.char_indices().peekable();
    while let Some(&(pos, c)) = it.peek() {
        match c {
            c if c.is_whitespace() => {
                it.next();
            }
            '(' => {
                it.next();
                out.push((pos, Tok::LParen));
            }
            ')' => {
                it.next();
                out.push((pos, Tok::RParen));
            }
            ',' => {
                it.next();
                out.push((pos, Tok::Comma));
            }
            '"' | '\'' => {
                it.next();
                let mut s = String::new();
                let mut closed = false;
                while let Some((_, ch)) = it.next() {
                    if ch == '\\' {
                        match it.next() {
                            Some((_, esc)) => s.push(esc),
                            None => break,
                        }
                    } else if ch == c {
                        closed = true;
                        break;
                    } else {
                        s.push(ch);
                    }
                }
                if !closed {
                    return Err(ParseError::new(pos, "a closing quote", "end of input"));
                }
                out.push((pos, Tok::Str(s)));
            }
            '[' => {
                it.next();
                let mut s = String::new();
                let mut closed = false;
                for (_, ch) in it.by_ref() {
                    if ch == ']' {
                        closed = true;
                        break;
                    }
                    s.push(ch);
                }
                if !closed {
                    return Err(ParseError::new(pos, "`]` closing the date", "end of input"));
                }
                out.push((pos, Tok::Date(s)));
            }
            '=' => {
                it.next();
                out.push((pos, Tok::Sym("=")));
            }
            '!' | '<' | '>' => {
                it.next();
                let eq = matches!(it.peek(), Some(&(_, '=')));
                if eq {
                    it.next();
                }
                let sym = match (c, eq) {
                    ('!', true) => "!=",
                    ('<', true) => "<=",
                    ('>', true) => ">=",
                    ('<', false) => "<",
                    ('>', false) => ">",
                    _ => return Err(ParseError::new(pos, "`!=`", "`!`")),
                };
                out.push((pos, Tok::Sym(sym)));
            }
            c if c.is_ascii_digit() || c == '-' || c == '.' => {
                let mut s = String::new();
                s.push(c);
                it.next();
                while let Some(&(_, d)) = it.peek() {
                    if d.is_ascii_digit() || d == '.' {
                        s.push(d);
                        it.next();
                    } else {
                        break;
                    }
                }
                out.push((pos, Tok::Num(s)));
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let mut s = String::new();
                while let Some(&(_, d)) = it.peek() {
                    if d.is_ascii_alphanumeric() || d == '_' || d == '/' {
                        s.push(d);
                        it.next();
                    } else {
                        break;
                    }
                }
                out.push((pos, Tok::Word(s)));
            }
            other => {
                return Err(ParseError::new(
                    pos,
                    "a field, value, operator or parenthesis",
                    &format!("`{}`", other.escape_debug()),
                ))
            }
        }
    }
    Ok(out)
}
