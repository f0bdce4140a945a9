//! Fuzz target: the expression parser (`manyi::expr::Expr::parse`) on any text; what parses
//! is evaluated against answers of every type, and every error must point inside the source.
#![no_main]

use libfuzzer_sys::fuzz_target;
use manyi::expr::{Env, Expr, Value};

/// Answers of a different type for different names, so every operator meets every value.
struct Answers(Value);

impl Env for Answers {
    fn answer(&self, name: &str) -> Value {
        match name.len() % 6 {
            0 => Value::Null,
            1 => Value::Num(name.len() as f64 - 3.5),
            2 => Value::Str(name.to_owned()),
            3 => Value::List(vec![name.to_owned(), "a".into()]),
            4 => Value::Bool(true),
            _ => Value::Num(f64::MAX),
        }
    }
    fn current(&self) -> Value {
        self.0.clone()
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    match Expr::parse(src) {
        Ok(expr) => {
            assert_eq!(expr.source(), src);
            let _ = expr.references();
            let _ = expr.uses_current();
            for current in [
                Value::Null,
                Value::Num(0.0),
                Value::Str("abc".into()),
                Value::List(vec!["a".into(), "b".into()]),
            ] {
                let env = Answers(current);
                let _ = expr.eval(&env).to_string();
                let _ = expr.eval_bool(&env);
            }
        }
        Err(e) => {
            // The survey loader adds the offset to the expression's place in the file and
            // slices there, so it must be a character boundary of the source.
            assert!(e.offset <= src.len(), "offset {} past the end", e.offset);
            assert!(
                src.is_char_boundary(e.offset),
                "offset {} inside a character",
                e.offset
            );
            assert_eq!(e.column, src[..e.offset].chars().count() + 1);
            let _ = e.to_string();
        }
    }
});
