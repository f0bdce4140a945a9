//! The customer's pages for a case: its status with the replies meant for them (never internal notes), and the two-question recovery survey.

use maud::{Markup, html};
use time::UtcOffset;

use super::layout::layout;
use crate::db::cases::{CaseRow, EventRow};
use crate::i18n::Lang;
use crate::i18n::cases::Case as T;
use crate::i18n::format::stored_time;

/// Status and public replies. Only events logged as public reach this page.
pub fn status_page(
    case: &CaseRow,
    events: &[EventRow],
    offset: UtcOffset,
    lang: Lang,
    k: &str,
) -> Markup {
    let replies: Vec<&EventRow> = events
        .iter()
        .filter(|e| e.action != "opened" && e.note.is_some())
        .collect();
    let other = match lang {
        Lang::Zh => Lang::En,
        Lang::En => Lang::Zh,
    };
    layout(
        lang,
        T::StatusTitle.text(lang),
        html! {
            p { a href={ "/c/" (case.code) "?k=" (k) "&lang=" (other.code()) } lang=(other.code()) {
                (crate::i18n::staff::Staff::SwitchToOther.text(lang))
            } }
            h1 { (T::StatusTitle.text(lang)) }
            dl {
                dt { (T::CaseNumber.text(lang)) } dd translate="no" { (case.code) }
                dt { (T::OpenedAt.text(lang)) } dd { (stored_time(&case.opened_at, offset, lang)) }
                dt { (T::StatusNow.text(lang)) } dd { strong { (case.step().public_status(lang)) } }
            }
            h2 { (T::Replies.text(lang)) }
            @if replies.is_empty() {
                p { (T::NoReplyYet.text(lang)) }
            } @else {
                @for e in replies {
                    p { span.hint { (stored_time(&e.at, offset, lang)) } br; (e.note.as_deref().unwrap_or("")) }
                }
            }
            p.hint { (T::KeepLink.text(lang)) }
        },
    )
}

fn question(name: &str, label: &str, lang: Lang) -> Markup {
    html! {
        fieldset {
            legend { (label) }
            label { input type="radio" name=(name) value="yes" required; " " (T::Yes.text(lang)) }
            label { input type="radio" name=(name) value="no"; " " (T::No.text(lang)) }
        }
    }
}

/// The recovery survey: two yes/no questions, posted back to the signed link.
pub fn recovery_page(code: &str, k: &str, lang: Lang, error: Option<&str>) -> Markup {
    layout(
        lang,
        T::RecoveryTitle.text(lang),
        html! {
            h1 { (T::RecoveryTitle.text(lang)) }
            p.hint translate="no" { (code) }
            @if let Some(e) = error { p.err role="alert" { (e) } }
            form method="post" action={ "/c/" (code) "/recovery?k=" (k) "&lang=" (lang.code()) } {
                (question("satisfied", T::RecoverySatisfied.text(lang), lang))
                (question("will_return", T::RecoveryReturn.text(lang), lang))
                button type="submit" { (T::Submit.text(lang)) }
            }
        },
    )
}

/// Answered already (thanks), or not open yet.
pub fn recovery_done(lang: Lang, text: T) -> Markup {
    layout(
        lang,
        T::RecoveryTitle.text(lang),
        html! {
            h1 { (T::RecoveryTitle.text(lang)) }
            p { (text.text(lang)) }
        },
    )
}
