//! Parser: turns tokens into a syntax tree, with error messages aimed at form authors rather
//! than programmers, and limits that keep hostile input from overflowing the stack.

use super::ast::{Func, Node, Op};
use super::lex::{Tok, Token, lex};
use super::{ParseError, Value, column, error};

/// Bounds parser recursion (parentheses, calls, unary minus) so hostile input cannot overflow
/// the stack.
pub(super) const MAX_NESTING: usize = 64;
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

pub(super) fn parse(src: &str) -> Result<Node, ParseError> {
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
        Tok::End => Ok(root),
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
