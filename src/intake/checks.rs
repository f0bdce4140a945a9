//! The quality checks run on a submission before it is queued, and what is remembered once it is stored.

use crate::db::Pool;

use std::time::Instant;

use super::Intake;
use crate::answers::Answer;
use crate::auth::address_key;
use crate::quality::{self, BURST_WINDOW, Flag};
use crate::survey::Survey;

/// Days of the store's own history its usual rate is taken from.
const BASELINE_DAYS: i64 = 14;

/// Who sent a response, as far as the checks can tell.
#[derive(Debug, Clone, Copy)]
pub struct Respondent<'a> {
    pub address: &'a str,
    /// The form's device cookie, when the browser keeps cookies.
    pub device: Option<&'a str>,
    /// Seconds from the form page's token to the final submit; `None` from the API.
    pub elapsed_secs: Option<u64>,
}

/// One submission as the checks see it.
pub struct Candidate<'a> {
    pub survey: &'a Survey,
    pub answers: &'a [(String, Answer)],
    pub store: Option<&'a str>,
    pub who: Respondent<'a>,
}

impl Candidate<'_> {
    fn keys(&self) -> Vec<String> {
        let mut keys = vec![format!("addr:{}", address_key(self.who.address))];
        if let Some(d) = self.who.device {
            keys.push(format!("dev:{d}"));
        }
        keys
    }

    fn digest(&self) -> [u8; 32] {
        quality::answers_digest(&self.survey.id, self.answers)
    }
}

impl Intake {
    /// The flags that hold this submission back, in [`Flag::ALL`] order. Remembers
    /// nothing: call [`Intake::remember`] once it is stored.
    pub async fn flags(
        &self,
        read: &Pool,
        today: time::Date,
        c: &Candidate<'_>,
    ) -> sqlx::Result<Vec<Flag>> {
        let now = Instant::now();
        let mut flags = Vec::new();
        if c.who
            .elapsed_secs
            .is_some_and(|secs| quality::too_fast(secs, c.answers.len()))
        {
            flags.push(Flag::TooFast);
        }
        if quality::straight_lined(c.survey, c.answers) {
            flags.push(Flag::StraightLined);
        }
        let keys = c.keys();
        let who: Vec<&str> = keys.iter().map(String::as_str).collect();
        if self.recent.seen(&who, &c.digest(), now) {
            flags.push(Flag::Duplicate);
        }
        if let Some(store) = c.store {
            let usual = match self.recent.baseline(store, &c.survey.id, now) {
                Some(usual) => usual,
                None => {
                    let from = today - time::Duration::days(BASELINE_DAYS);
                    let total = crate::db::reports::responses_between(
                        read,
                        store,
                        &c.survey.id,
                        from,
                        today,
                    )
                    .await?;
                    let windows = BASELINE_DAYS as f64 * 86_400.0 / BURST_WINDOW.as_secs_f64();
                    let usual = total as f64 / windows;
                    self.recent.set_baseline(store, &c.survey.id, usual, now);
                    usual
                }
            };
            let in_window = self
                .recent
                .in_window_with_one_more(store, &c.survey.id, now);
            if quality::burst(in_window, usual) {
                flags.push(Flag::Burst);
            }
        }
        Ok(flags)
    }

    /// Remembers a stored response for the duplicate and burst checks of later ones.
    pub fn remember(&self, c: &Candidate<'_>) {
        let keys = c.keys();
        let who: Vec<&str> = keys.iter().map(String::as_str).collect();
        self.recent
            .record(&who, &c.digest(), c.store, &c.survey.id, Instant::now());
    }
}
