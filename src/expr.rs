//! Parser and evaluator for the subset of XLSForm (ODK XPath) expressions that manyi supports
//! in `relevant`, `constraint` and `calculation` columns.
//!
//! This module holds the public API; the work is split into `lex` (source to tokens), `parse`
//! (tokens to the `ast` tree) and `eval` (tree to `Value`).

use std::fmt;

use ast::Node;

mod ast;
mod eval;
mod lex;
mod parse;
#[cfg(test)]
mod tests;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    List(Vec<String>),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => Ok(()),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Num(n) if n.is_nan() => f.write_str("NaN"),
            Value::Num(n) if n.is_infinite() => {
                f.write_str(if *n > 0.0 { "Infinity" } else { "-Infinity" })
            }
            // Rust already prints 5.0 as "5"; adding 0.0 turns -0 into 0 so users never see "-0".
            Value::Num(n) => write!(f, "{}", n + 0.0),
            Value::Str(s) => f.write_str(s),
            Value::List(items) => f.write_str(&items.join(" ")),
        }
    }
}

/// Supplies answers to an expression being evaluated.
pub trait Env {
    /// Value of `${name}`; `Value::Null` when unanswered.
    fn answer(&self, name: &str) -> Value;
    /// Value of `.`, the answer of the question the expression belongs to.
    fn current(&self) -> Value;
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    /// Byte offset into the source.
    pub offset: usize,
    /// 1-based character column of `offset`; kept alongside it because `Display` has no source
    /// to count characters in.
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for ParseError {}

fn column(src: &str, at: usize) -> usize {
    src.get(..at).map_or(at, |s| s.chars().count()) + 1
}

fn error(src: &str, at: usize, message: impl Into<String>) -> ParseError {
    ParseError {
        offset: at,
        column: column(src, at),
        message: message.into(),
    }
}

#[derive(Debug, Clone)]
pub struct Expr {
    source: String,
    root: Node,
}

impl Expr {
    pub fn parse(src: &str) -> Result<Expr, ParseError> {
        let root = parse::parse(src)?;
        Ok(Expr {
            source: src.to_string(),
            root,
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// Every `${name}`, in order of first appearance, without duplicates.
    pub fn references(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        self.root.visit(&mut |n| {
            if let Node::Ref(name) = n
                && !names.contains(name)
            {
                names.push(name.clone());
            }
        });
        names
    }

    pub fn uses_current(&self) -> bool {
        let mut found = false;
        self.root
            .visit(&mut |n| found |= matches!(n, Node::Current));
        found
    }

    pub fn eval(&self, env: &dyn Env) -> Value {
        eval::eval(&self.root, env)
    }

    pub fn eval_bool(&self, env: &dyn Env) -> bool {
        eval::truthy(&self.eval(env))
    }
}
