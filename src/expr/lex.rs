//! Tokenizer: turns expression source into tokens carrying byte offsets, so parse errors can
//! point at the exact spot.

use super::ast::Op;
use super::{ParseError, column, error};

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    Num(f64),
    Str(String),
    Ref(String),
    /// Function names and the word operators `and`, `or`, `div`, `mod`.
    Word(String),
    Op(Op),
    Dot,
    LParen,
    RParen,
    Comma,
    End,
}

#[derive(Debug, Clone)]
pub(super) struct Token {
    pub(super) tok: Tok,
    pub(super) at: usize,
    pub(super) end: usize,
}

/// Two-character symbols come first so `<=` is not read as `<` followed by `=`.
const SYMBOLS: [(&str, Tok); 13] = [
    ("!=", Tok::Op(Op::Ne)),
    ("<=", Tok::Op(Op::Le)),
    (">=", Tok::Op(Op::Ge)),
    ("<", Tok::Op(Op::Lt)),
    (">", Tok::Op(Op::Gt)),
    ("=", Tok::Op(Op::Eq)),
    ("+", Tok::Op(Op::Add)),
    ("-", Tok::Op(Op::Sub)),
    ("*", Tok::Op(Op::Mul)),
    (".", Tok::Dot),
    ("(", Tok::LParen),
    (")", Tok::RParen),
    (",", Tok::Comma),
];

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

pub(super) fn lex(src: &str) -> Result<Vec<Token>, ParseError> {
    let chars: Vec<(usize, char)> = src.char_indices().collect();
    let ch = |i: usize| chars.get(i).map(|&(_, c)| c);
    let byte = |i: usize| chars.get(i).map_or(src.len(), |&(o, _)| o);
    let text = |from: usize, to: usize| src.get(byte(from)..byte(to)).unwrap_or_default();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(c) = ch(i) {
        let start = i;
        let next_is = |want: char| ch(i + 1) == Some(want);
        let tok = match c {
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '0'..='9' | '.' if c != '.' || ch(i + 1).is_some_and(|d| d.is_ascii_digit()) => {
                while ch(i).is_some_and(|d| d.is_ascii_digit()) {
                    i += 1;
                }
                if ch(i) == Some('.') {
                    i += 1;
                    while ch(i).is_some_and(|d| d.is_ascii_digit()) {
                        i += 1;
                    }
                }
                match text(start, i).parse::<f64>() {
                    Ok(n) if n.is_finite() => Tok::Num(n),
                    _ => return Err(error(src, byte(start), "number is too large")),
                }
            }
            '=' if next_is('=') => {
                return Err(error(src, byte(i), "use '=' to compare, not '=='"));
            }
            '\'' | '"' => {
                let Some(close) = (i + 1..chars.len()).find(|&j| ch(j) == Some(c)) else {
                    return Err(error(src, byte(start), "unterminated string"));
                };
                i = close + 1;
                Tok::Str(text(start + 1, close).to_string())
            }
            '$' => {
                if !next_is('{') {
                    let msg = "expected '{' after '$'; questions are referenced as ${name}";
                    return Err(error(src, byte(i + 1), msg));
                }
                i += 2;
                let name_start = i;
                if !ch(i).is_some_and(|c| c.is_ascii_alphabetic() || c == '_') {
                    return Err(error(src, byte(i), "expected a question name after '${'"));
                }
                while ch(i).is_some_and(is_name_char) {
                    i += 1;
                }
                if ch(i) != Some('}') {
                    let msg = format!(
                        "expected '}}' to close '${{' opened at column {}",
                        column(src, byte(start))
                    );
                    return Err(error(src, byte(i), msg));
                }
                i += 1;
                Tok::Ref(text(name_start, i - 1).to_string())
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                // '-' joins words only before a letter, so `count-selected` is one word while
                // `3 mod-1` still lexes as `mod`, `-`, `1`.
                i += 1;
                while let Some(d) = ch(i) {
                    let dash = d == '-' && ch(i + 1).is_some_and(|e| e.is_ascii_alphabetic());
                    if !(is_name_char(d) || dash) {
                        break;
                    }
                    i += 1;
                }
                Tok::Word(text(start, i).to_string())
            }
            _ => {
                let rest = src.get(byte(i)..).unwrap_or_default();
                let Some((sym, tok)) = SYMBOLS.iter().find(|(s, _)| rest.starts_with(s)) else {
                    let hint = match c {
                        '&' => "; use 'and'",
                        '|' => "; use 'or'",
                        '!' => "; use '!=' or not()",
                        '/' => "; use 'div' to divide",
                        _ => "",
                    };
                    let msg = format!("unexpected character '{c}'{hint}");
                    return Err(error(src, byte(i), msg));
                };
                // Symbols are ASCII, so their byte length is also their length in chars.
                i += sym.len();
                tok.clone()
            }
        };
        out.push(Token {
            tok,
            at: byte(start),
            end: byte(i),
        });
    }
    Ok(out)
}
