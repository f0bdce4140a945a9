//! The scoring keys of audit checklists: points, bonus, critical, pass rules, N/A and section weights.

use std::collections::HashMap;

use toml::Spanned;

use super::{Cx, Defined};
use crate::survey::raw::{RawGroup, RawQuestion};
use crate::survey::{Critical, Group, Kind, Scoring};

impl Cx<'_> {
    /// A non-negative, finite number of points.
    pub(super) fn points(&mut self, v: &Spanned<toml::Value>, field: &str) -> Option<f64> {
        if !self.audit {
            self.error(
                v,
                field,
                "points only apply in audit checklists (settings.kind = \"audit\")",
            );
            return None;
        }
        match v.get_ref() {
            toml::Value::Integer(i) if *i >= 0 => Some(*i as f64),
            toml::Value::Float(f) if f.is_finite() && *f >= 0.0 => Some(*f),
            _ => {
                self.error(v, field, "must be a number of points, 0 or more");
                None
            }
        }
    }

    pub(super) fn weight(&mut self, v: &Spanned<toml::Value>, field: &str) -> Option<f64> {
        let w = self.points(v, field)?;
        if w == 0.0 {
            self.error(
                v,
                field,
                "a section weight must be above 0 (leave a section out instead)",
            );
            return None;
        }
        Some(w)
    }

    /// Scoring for one item, or `None` when it is not scored. Only checklists score.
    pub(super) fn scoring(
        &mut self,
        q: &RawQuestion,
        kind: &Kind,
        field: &str,
        defined: &HashMap<String, Defined>,
        order: usize,
    ) -> Option<Scoring> {
        let keys: [(&str, Option<usize>); 6] = [
            ("points", q.points.as_ref().map(|v| v.span().start)),
            ("bonus", q.bonus.as_ref().map(|v| v.span().start)),
            ("critical", q.critical.as_ref().map(|v| v.span().start)),
            ("pass", q.pass.as_ref().map(|v| v.span().start)),
            (
                "comment_on_fail",
                q.comment_on_fail.as_ref().map(|v| v.span().start),
            ),
            ("allow_na", q.allow_na.as_ref().map(|v| v.span().start)),
        ];
        if !self.audit {
            for (key, at) in keys {
                if let Some(at) = at {
                    self.error_at(
                        at,
                        &format!("{field}.{key}"),
                        format!(
                            "`{key}` only applies in audit checklists (settings.kind = \"audit\")"
                        ),
                    );
                }
            }
            return None;
        }
        if let Some(na) = &q.allow_na
            && !matches!(kind, Kind::YesNo { .. })
        {
            self.error(
                na,
                &format!("{field}.allow_na"),
                "allow_na only applies to yes_no items",
            );
        }
        let name = q.name.get_ref().as_str();
        let pass = q
            .pass
            .as_ref()
            .and_then(|p| self.expr(p, &format!("{field}.pass"), defined, order, Some(name)));
        let choice_max = kind
            .choices()
            .filter(|_| matches!(kind, Kind::SelectOne(_)))
            .and_then(|c| c.iter().filter_map(|c| c.points).reduce(f64::max));
        let scorable = pass.is_some()
            || q.pass.is_some()
            || choice_max.is_some()
            || matches!(kind, Kind::YesNo { .. } | Kind::Rating);
        if !scorable {
            for (key, at) in keys {
                if let (Some(at), true) = (at, key != "allow_na") {
                    self.error_at(at, &format!("{field}.{key}"), format!("this {} item is not scored: only yes_no, rating, select_one with choice points, or an item with a `pass` rule score", kind.type_name()));
                }
            }
            return None;
        }
        let points = match &q.points {
            Some(p) => self.points(p, &format!("{field}.points"))?,
            None => choice_max.unwrap_or(1.0),
        };
        let critical = match q.critical.as_ref().map(|c| (c, c.get_ref().as_str())) {
            None => None,
            Some((_, "section")) => Some(Critical::Section),
            Some((_, "visit")) => Some(Critical::Visit),
            Some((at, other)) => {
                self.error(
                    at,
                    &format!("{field}.critical"),
                    format!("'{other}' is not a scope; use \"section\" or \"visit\""),
                );
                None
            }
        };
        let bonus = q.bonus.as_ref().is_some_and(|b| *b.get_ref());
        if bonus && critical.is_some() {
            self.error(
                &q.name,
                field,
                "an item cannot be both a bonus and critical",
            );
        }
        Some(Scoring {
            points,
            bonus,
            critical,
            pass,
            comment_on_fail: q.comment_on_fail.as_ref().is_some_and(|c| *c.get_ref()),
        })
    }

    /// Weighted and unweighted sections cannot mix: the overall rule would be ambiguous.
    pub(super) fn check_weights(&mut self, raw: &[Spanned<RawGroup>], groups: &[Group]) {
        let weighted = groups.iter().filter(|g| g.weight.is_some()).count();
        if weighted > 0 && weighted < groups.len() {
            for (raw, group) in raw.iter().zip(groups) {
                if group.weight.is_none() {
                    self.error(
                        &raw.get_ref().name,
                        &format!("group '{}'.weight", group.name),
                        "give every section a weight, or none",
                    );
                }
            }
        }
    }
}
