//! Evaluator: walks the syntax tree against an `Env`, following XPath's loose conversions
//! between booleans, numbers and strings.

use super::ast::{Func, Node, Op};
use super::{Env, Value};

pub(super) fn truthy(v: &Value) -> bool {
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

pub(super) fn eval(node: &Node, env: &dyn Env) -> Value {
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
