//! Parser and evaluator for the subset of XLSForm (ODK XPath) expressions that manyi supports
//! in `relevant`, `constraint` and `calculation` columns.

use std::fmt;

#[cfg(test)]
mod tests;

/// Bounds parser recursion (parentheses, calls, unary minus) so hostile input cannot overflow
/// the stack.
const MAX_NESTING: usize = 64;
/// Operator chains are parsed iteratively but evaluated recursively, so the tree height needs
/// its own bound, generous enough for long sums of questions.
const MAX_HEIGHT: usize = 256;

const FUNCS: [(&str, Func, usize); 8] = [
    ("not", Func::Not, 1),
    ("selected", Func::Selected, 2),
    ("count-selected", Func::CountSelected, 1),
    ("string-length", Func::StringLength, 1),
    ("if", Func::If, 3),
    ("true", Func::True, 0),
    ("false", Func::False, 0),
    ("number", Func::Number, 1),
];

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

#[derive(Debug, Clone)]
pub struct Expr {
    source: String,
    root: Node,
}

impl Expr {
    pub fn parse(src: &str) -> Result<Expr, ParseError> {
        let eof = Token {
            tok: Tok::End,
            at: src.len(),
            end: src.len(),
        };
        let mut p = Parser {
            src,
            toks: lex(src)?,
            pos: 0,
            nesting: 0,
            eof,
        };
        if p.toks.is_empty() {
            return Err(error(src, 0, "expression is empty"));
        }
        let (root, _) = p.sub_expr()?;
        let t = p.peek();
        match &t.tok {
            Tok::End => Ok(Expr {
                source: src.to_string(),
                root,
            }),
            Tok::RParen => Err(p.err(t.at, "unexpected ')' with no matching '('")),
            tok => Err(p.err(
                t.at,
                keyword_case_hint(tok).unwrap_or_else(|| {
                    format!(
                        "unexpected {}; expected an operator or the end of the expression",
                        p.describe(t)
                    )
                }),
            )),
        }
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
        eval(&self.root, env)
    }

    pub fn eval_bool(&self, env: &dyn Env) -> bool {
        truthy(&self.eval(env))
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

impl Op {
    /// Precedence level, 0 binding loosest.
    fn level(self) -> u8 {
        match self {
            Op::Or => 0,
            Op::And => 1,
            Op::Eq | Op::Ne => 2,
            Op::Lt | Op::Le | Op::Gt | Op::Ge => 3,
            Op::Add | Op::Sub => 4,
            Op::Mul | Op::Div | Op::Mod => 5,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Func {
    Not,
    Selected,
    CountSelected,
    StringLength,
    If,
    True,
    False,
    Number,
}

#[derive(Debug, Clone)]
enum Node {
    Lit(Value),
    Ref(String),
    Current,
    Neg(Box<Node>),
    Bin(Op, Box<Node>, Box<Node>),
    Call(Func, Vec<Node>),
}

impl Node {
    fn visit(&self, f: &mut dyn FnMut(&Node)) {
        f(self);
        match self {
            Node::Neg(e) => e.visit(f),
            Node::Bin(_, a, b) => {
                a.visit(f);
                b.visit(f);
            }
            Node::Call(_, args) => args.iter().for_each(|a| a.visit(f)),
            Node::Lit(_) | Node::Ref(_) | Node::Current => {}
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
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
struct Token {
    tok: Tok,
    at: usize,
    end: usize,
}

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

fn lex(src: &str) -> Result<Vec<Token>, ParseError> {
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

fn keyword_op(word: &str) -> Option<Op> {
    match word {
        "or" => Some(Op::Or),
        "and" => Some(Op::And),
        "div" => Some(Op::Div),
        "mod" => Some(Op::Mod),
        _ => None,
    }
}

/// Operators are case-sensitive, and `AND` is a common spreadsheet habit worth calling out.
fn keyword_case_hint(tok: &Tok) -> Option<String> {
    let Tok::Word(w) = tok else { return None };
    let lower = w.to_ascii_lowercase();
    (lower != *w && keyword_op(&lower).is_some())
        .then(|| format!("operators are lowercase: write '{lower}' instead of '{w}'"))
}

type Parsed = Result<(Node, usize), ParseError>;

struct Parser<'a> {
    src: &'a str,
    toks: Vec<Token>,
    pos: usize,
    nesting: usize,
    eof: Token,
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        self.toks.get(self.pos).unwrap_or(&self.eof)
    }

    fn advance(&mut self) {
        self.pos += 1;
    }

    fn err(&self, at: usize, message: impl Into<String>) -> ParseError {
        error(self.src, at, message)
    }

    fn describe(&self, t: &Token) -> String {
        let text = self.src.get(t.at..t.end).unwrap_or_default();
        match t.tok {
            Tok::End => "end of expression".to_string(),
            Tok::Num(_) => format!("number {text}"),
            Tok::Str(_) => format!("string {text}"),
            Tok::Ref(_) => text.to_string(),
            _ => format!("'{text}'"),
        }
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        if self.nesting >= MAX_NESTING {
            let msg = format!("expression is nested too deeply (limit is {MAX_NESTING} levels)");
            return Err(self.err(self.peek().at, msg));
        }
        self.nesting += 1;
        Ok(())
    }

    /// Parentheses and call arguments are the grammar's only unbounded recursion, so nesting is
    /// counted here.
    fn sub_expr(&mut self) -> Parsed {
        self.enter()?;
        let result = self.binary(0);
        self.nesting -= 1;
        result
    }

    fn grow(&self, at: usize, height: usize) -> Result<usize, ParseError> {
        if height >= MAX_HEIGHT {
            let msg = format!("expression is too long (more than {MAX_HEIGHT} chained operations)");
            return Err(self.err(at, msg));
        }
        Ok(height + 1)
    }

    /// Precedence climbing: recursion happens only when a tighter operator follows, which keeps
    /// the stack per parenthesis level small.
    fn binary(&mut self, min_level: u8) -> Parsed {
        let (mut lhs, mut height) = self.unary()?;
        loop {
            let op = match &self.peek().tok {
                Tok::Op(op) => Some(*op),
                Tok::Word(w) => keyword_op(w),
                _ => None,
            };
            let Some(op) = op.filter(|op| op.level() >= min_level) else {
                break;
            };
            let at = self.peek().at;
            self.advance();
            let (rhs, rh) = self.binary(op.level() + 1)?;
            height = self.grow(at, height.max(rh))?;
            lhs = Node::Bin(op, Box::new(lhs), Box::new(rhs));
        }
        Ok((lhs, height))
    }

    /// Iterative so a long run of '-' cannot recurse; each sign still counts as a nesting level.
    fn unary(&mut self) -> Parsed {
        let mut signs = Vec::new();
        while self.peek().tok == Tok::Op(Op::Sub) {
            self.enter()?;
            signs.push(self.peek().at);
            self.advance();
        }
        let (mut node, mut height) = self.primary()?;
        self.nesting -= signs.len();
        for at in signs.into_iter().rev() {
            height = self.grow(at, height)?;
            node = Node::Neg(Box::new(node));
        }
        Ok((node, height))
    }

    fn primary(&mut self) -> Parsed {
        let t = self.peek().clone();
        self.advance();
        let node = match t.tok {
            Tok::Num(n) => Node::Lit(Value::Num(n)),
            Tok::Str(s) => Node::Lit(Value::Str(s)),
            Tok::Ref(name) => Node::Ref(name),
            Tok::Dot => Node::Current,
            Tok::LParen => {
                let inner = self.sub_expr()?;
                let close = self.peek();
                if close.tok != Tok::RParen {
                    let msg = keyword_case_hint(&close.tok).unwrap_or_else(|| {
                        format!(
                            "expected ')' to close '(' opened at column {}",
                            column(self.src, t.at)
                        )
                    });
                    return Err(self.err(close.at, msg));
                }
                self.advance();
                return Ok(inner);
            }
            Tok::Word(w) if self.peek().tok == Tok::LParen => return self.call(&w, t.at),
            Tok::Word(w) => {
                let msg = if keyword_op(&w).is_some() {
                    format!("expected a value before '{w}'")
                } else if FUNCS.iter().any(|(name, ..)| *name == w) {
                    format!("'{w}' is a function; write {w}()")
                } else {
                    format!("unexpected word '{w}'; to refer to a question write ${{{w}}}")
                };
                return Err(self.err(t.at, msg));
            }
            Tok::End => return Err(self.err(t.at, "unexpected end of expression")),
            _ => {
                return Err(self.err(
                    t.at,
                    format!("expected a value but found {}", self.describe(&t)),
                ));
            }
        };
        Ok((node, 1))
    }

    fn call(&mut self, name: &str, at: usize) -> Parsed {
        let Some(&(_, func, arity)) = FUNCS.iter().find(|(n, ..)| *n == name) else {
            let known: Vec<&str> = FUNCS.iter().map(|(n, ..)| *n).collect();
            return Err(self.err(
                at,
                format!("unknown function '{name}'; known: {}", known.join(", ")),
            ));
        };
        self.advance();
        let mut args = Vec::new();
        let mut height = 0;
        if self.peek().tok != Tok::RParen {
            loop {
                let (arg, h) = self.sub_expr()?;
                args.push(arg);
                height = height.max(h);
                let t = self.peek();
                match t.tok {
                    Tok::Comma => self.advance(),
                    Tok::RParen => break,
                    _ => {
                        let msg = keyword_case_hint(&t.tok).unwrap_or_else(|| {
                            let col = column(self.src, at);
                            format!(
                                "expected ',' or ')' in call to {name}() opened at column {col}"
                            )
                        });
                        return Err(self.err(t.at, msg));
                    }
                }
            }
        }
        self.advance();
        if args.len() != arity {
            let takes = match arity {
                0 => "no arguments".to_string(),
                1 => "1 argument".to_string(),
                n => format!("{n} arguments"),
            };
            return Err(self.err(at, format!("{name}() takes {takes}, got {}", args.len())));
        }
        Ok((Node::Call(func, args), self.grow(at, height)?))
    }
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Num(n) => *n != 0.0 && !n.is_nan(),
        Value::Str(s) => !s.is_empty(),
        Value::List(items) => !items.is_empty(),
    }
}

/// XPath `number()`: Rust's parser also accepts "inf", "NaN" and exponents, which XPath does not.
fn parse_num(s: &str) -> Option<f64> {
    let t = s.trim();
    let plain = t.bytes().all(|b| b.is_ascii_digit() || b"+-.".contains(&b));
    if plain { t.parse().ok() } else { None }
}

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Null => None,
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::Num(n) => Some(*n),
        Value::Str(s) => parse_num(s),
        Value::List(items) => match items.as_slice() {
            [one] => parse_num(one),
            _ => None,
        },
    }
}

/// Non-finite results become Null, so NaN never leaks into answers.
fn arith(result: Option<f64>) -> Value {
    match result {
        Some(x) if x.is_finite() => Value::Num(x),
        _ => Value::Null,
    }
}

/// XPath equality: booleans win, then numbers when either side is a number; two strings compare
/// as text so choice codes like '01' and '1' stay distinct.
fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Bool(_), _) | (_, Value::Bool(_)) => truthy(a) == truthy(b),
        (Value::Num(_), _) | (_, Value::Num(_)) => match (num(a), num(b)) {
            (Some(x), Some(y)) => x == y,
            _ => a.to_string() == b.to_string(),
        },
        _ => a.to_string() == b.to_string(),
    }
}

fn binary(op: Op, a: &Value, b: &Value) -> Value {
    let nums = num(a).zip(num(b));
    let cmp = |f: fn(f64, f64) -> bool| Value::Bool(nums.is_some_and(|(x, y)| f(x, y)));
    let nonzero = nums.filter(|&(_, y)| y != 0.0);
    match op {
        Op::Or => Value::Bool(truthy(a) || truthy(b)),
        Op::And => Value::Bool(truthy(a) && truthy(b)),
        Op::Eq => Value::Bool(equal(a, b)),
        Op::Ne => Value::Bool(!equal(a, b)),
        Op::Lt => cmp(|x, y| x < y),
        Op::Le => cmp(|x, y| x <= y),
        Op::Gt => cmp(|x, y| x > y),
        Op::Ge => cmp(|x, y| x >= y),
        Op::Add => arith(nums.map(|(x, y)| x + y)),
        Op::Sub => arith(nums.map(|(x, y)| x - y)),
        Op::Mul => arith(nums.map(|(x, y)| x * y)),
        Op::Div => arith(nonzero.map(|(x, y)| x / y)),
        Op::Mod => arith(nonzero.map(|(x, y)| x % y)),
    }
}

fn eval(node: &Node, env: &dyn Env) -> Value {
    match node {
        Node::Lit(v) => v.clone(),
        Node::Ref(name) => env.answer(name),
        Node::Current => env.current(),
        Node::Neg(e) => arith(num(&eval(e, env)).map(|x| -x)),
        Node::Bin(op, a, b) => binary(*op, &eval(a, env), &eval(b, env)),
        Node::Call(f, args) => call(*f, args, env),
    }
}

fn call(f: Func, args: &[Node], env: &dyn Env) -> Value {
    match (f, args) {
        (Func::Not, [e]) => Value::Bool(!truthy(&eval(e, env))),
        (Func::True, []) => Value::Bool(true),
        (Func::False, []) => Value::Bool(false),
        (Func::If, [c, a, b]) => eval(if truthy(&eval(c, env)) { a } else { b }, env),
        (Func::Number, [e]) => arith(num(&eval(e, env))),
        (Func::StringLength, [e]) => Value::Num(eval(e, env).to_string().chars().count() as f64),
        (Func::CountSelected, [e]) => Value::Num(match eval(e, env) {
            Value::List(items) => items.len() as f64,
            v => v.to_string().split_whitespace().count() as f64,
        }),
        (Func::Selected, [e, opt]) => {
            let opt = eval(opt, env).to_string();
            Value::Bool(match eval(e, env) {
                Value::Null => false,
                Value::List(items) => items.contains(&opt),
                v => {
                    let s = v.to_string();
                    s == opt || s.split_whitespace().any(|t| t == opt)
                }
            })
        }
        // The parser rejects wrong arities, so this is never reached.
        _ => Value::Null,
    }
}
