//! The syntax tree shared by the parser, which builds it, and the evaluator, which walks it.

use super::Value;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Op {
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
    pub(super) fn level(self) -> u8 {
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
pub(super) enum Func {
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
pub(super) enum Node {
    Lit(Value),
    Ref(String),
    Current,
    Neg(Box<Node>),
    Bin(Op, Box<Node>, Box<Node>),
    Call(Func, Vec<Node>),
}

impl Node {
    pub(super) fn visit(&self, f: &mut dyn FnMut(&Node)) {
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
