//! Languages: negotiation (`?lang=`, Accept-Language, default) and the one catalogue of our own text, in zh and en.
//!
//! `Ui` is the customer form's text; `staff` and the area tables hold the staff pages'. Every
//! table is written with `catalogue!` (or, for `Ui`, an exhaustive match), so no key can lack a
//! language; `tests.rs` checks each is written in its own script.

pub mod admin;
pub mod audits;
mod catalogue;
#[cfg(test)]
mod catalogue_tests;
pub mod format;
pub mod reports;
pub mod staff;

pub use catalogue::{Catalogued, Msg};

use std::fmt;

use serde::Serialize;

/// A language the form's own UI text exists in. Survey files may only
/// declare these, so every page we render is complete in its language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// Accepts a bare code or a tag with region/script (`zh-CN`, `en_US`, `zh-Hans`).
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Picks the language for a page: an explicit `?lang=` wins, then the
    /// browser's Accept-Language (by q-value), then the survey's default.
    pub fn negotiate(
        query: Option<&str>,
        accept_language: Option<&str>,
        offered: &[Lang],
        default: Lang,
    ) -> Lang {
        if let Some(lang) = query.and_then(Lang::parse).filter(|l| offered.contains(l)) {
            return lang;
        }
        if let Some(header) = accept_language {
            let mut ranked: Vec<(f32, usize, Lang)> = header
                .split(',')
                .enumerate()
                .filter_map(|(pos, item)| {
                    let mut parts = item.split(';');
                    let lang = Lang::parse(parts.next()?)?;
                    let q = parts
                        .find_map(|p| p.trim().strip_prefix("q="))
                        .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
                    (q > 0.0 && offered.contains(&lang)).then_some((q, pos, lang))
                })
                .collect();
            // Highest q first; among equals, the order the browser sent.
            ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            if let Some((_, _, lang)) = ranked.first() {
                return *lang;
            }
        }
        default
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The form's own words. Each variant is one message; `text` gives it in a language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ui {
    Next,
    Back,
    Submit,
    Required,
    Optional,
    Progress,
    ThanksTitle,
    ThanksBody,
    ErrorSummary,
    /// The form could not be stored because the server is busy; answers are kept.
    SaveBusy,
    /// The form could not be stored because the disk is full; answers are kept.
    SaveFull,
    /// The form's token was not issued by this server, or is too old; answers are kept.
    TokenStale,
    /// The receipt-code field on the first page.
    ReceiptLabel,
    ReceiptHint,
    Yes,
    No,
    NotApplicable,
    RatingLow,
    RatingHigh,
    ExpectLow,
    ExpectHigh,
    NpsLow,
    NpsHigh,
    StoreLabel,
    OtherLanguage,
    // Answer-check messages.
    MsgRequired,
    MsgWholeNumber,
    MsgNumber,
    MsgAtLeast,
    MsgAtMost,
    MsgUnknownOption,
    MsgOneOption,
    MsgDate,
    MsgConstraint,
    MsgTooLong,
    MsgRating,
    MsgNps,
}

impl Ui {
    pub fn text(self, lang: Lang) -> &'static str {
        use Ui::*;
        match (self, lang) {
            (Next, Lang::Zh) => "下一页",
            (Next, Lang::En) => "Next",
            (Back, Lang::Zh) => "上一页",
            (Back, Lang::En) => "Back",
            (Submit, Lang::Zh) => "提交",
            (Submit, Lang::En) => "Submit",
            (Required, Lang::Zh) => "必答",
            (Required, Lang::En) => "required",
            (Optional, Lang::Zh) => "选答",
            (Optional, Lang::En) => "optional",
            (Progress, Lang::Zh) => "第 {n} 页，共 {total} 页",
            (Progress, Lang::En) => "Page {n} of {total}",
            (ThanksTitle, Lang::Zh) => "谢谢您！",
            (ThanksTitle, Lang::En) => "Thank you!",
            (ThanksBody, Lang::Zh) => "您的回答已保存。您的意见会帮助我们把服务做得更好。",
            (ThanksBody, Lang::En) => {
                "Your answers have been saved. They help us serve you better."
            }
            (ErrorSummary, Lang::Zh) => "请检查下面标出的问题。",
            (ErrorSummary, Lang::En) => "Please check the questions marked below.",
            (SaveBusy, Lang::Zh) => {
                "服务器繁忙，您的回答尚未保存。答案都还在，请稍等片刻再点一次“提交”。"
            }
            (SaveBusy, Lang::En) => {
                "The server is busy and your answers are not saved yet. They are all still here: please wait a moment and press Submit again."
            }
            (SaveFull, Lang::Zh) => {
                "服务器暂时无法保存，您的回答尚未保存。答案都还在，请稍后再点一次“提交”。"
            }
            (SaveFull, Lang::En) => {
                "The server cannot save right now and your answers are not saved yet. They are all still here: please press Submit again later."
            }
            (TokenStale, Lang::Zh) => {
                "这个页面打开太久了，您的回答尚未保存。答案都还在，请再点一次“提交”。"
            }
            (TokenStale, Lang::En) => {
                "This page was open too long and your answers are not saved yet. They are all still here: please press Submit again."
            }
            (ReceiptLabel, Lang::Zh) => "小票号码",
            (ReceiptLabel, Lang::En) => "Receipt code",
            (ReceiptHint, Lang::Zh) => "印在购物小票底部的 25 位数字，空格可以不输。",
            (ReceiptHint, Lang::En) => {
                "The 25 digits printed at the bottom of your receipt; spaces are optional."
            }
            (Yes, Lang::Zh) => "是",
            (Yes, Lang::En) => "Yes",
            (No, Lang::Zh) => "否",
            (No, Lang::En) => "No",
            (NotApplicable, Lang::Zh) => "不适用",
            (NotApplicable, Lang::En) => "N/A",
            (RatingLow, Lang::Zh) => "1 = 非常不满意",
            (RatingLow, Lang::En) => "1 = very dissatisfied",
            (RatingHigh, Lang::Zh) => "5 = 非常满意",
            (RatingHigh, Lang::En) => "5 = very satisfied",
            (ExpectLow, Lang::Zh) => "1 = 期望很低",
            (ExpectLow, Lang::En) => "1 = very low",
            (ExpectHigh, Lang::Zh) => "5 = 期望很高",
            (ExpectHigh, Lang::En) => "5 = very high",
            (NpsLow, Lang::Zh) => "0 = 绝对不会",
            (NpsLow, Lang::En) => "0 = not at all likely",
            (NpsHigh, Lang::Zh) => "10 = 非常愿意",
            (NpsHigh, Lang::En) => "10 = extremely likely",
            (StoreLabel, Lang::Zh) => "门店",
            (StoreLabel, Lang::En) => "Store",
            (OtherLanguage, Lang::Zh) => "English",
            (OtherLanguage, Lang::En) => "中文",
            (MsgRequired, Lang::Zh) => "请回答这个问题。",
            (MsgRequired, Lang::En) => "Please answer this question.",
            (MsgWholeNumber, Lang::Zh) => "请输入整数。",
            (MsgWholeNumber, Lang::En) => "Please enter a whole number.",
            (MsgNumber, Lang::Zh) => "请输入数字。",
            (MsgNumber, Lang::En) => "Please enter a number.",
            (MsgAtLeast, Lang::Zh) => "不能小于 {n}。",
            (MsgAtLeast, Lang::En) => "Must be at least {n}.",
            (MsgAtMost, Lang::Zh) => "不能大于 {n}。",
            (MsgAtMost, Lang::En) => "Must be at most {n}.",
            (MsgUnknownOption, Lang::Zh) => "请从列出的选项中选择。",
            (MsgUnknownOption, Lang::En) => "Please choose from the options listed.",
            (MsgOneOption, Lang::Zh) => "只能选择一项。",
            (MsgOneOption, Lang::En) => "Please choose only one option.",
            (MsgDate, Lang::Zh) => "请输入日期，格式为 年-月-日，例如 2026-11-22。",
            (MsgDate, Lang::En) => "Please enter a date as YYYY-MM-DD, for example 2026-11-22.",
            (MsgConstraint, Lang::Zh) => "这个回答不符合要求。",
            (MsgConstraint, Lang::En) => "This answer is not allowed.",
            (MsgTooLong, Lang::Zh) => "最多 {n} 个字符。",
            (MsgTooLong, Lang::En) => "Please keep it under {n} characters.",
            (MsgRating, Lang::Zh) => "请选择 1 到 5 分。",
            (MsgRating, Lang::En) => "Please choose a score from 1 to 5.",
            (MsgNps, Lang::Zh) => "请选择 0 到 10 分。",
            (MsgNps, Lang::En) => "Please choose a score from 0 to 10.",
        }
    }

    /// The message with `{n}` (and `{total}`) filled in.
    pub fn fill(self, lang: Lang, n: impl fmt::Display) -> String {
        self.text(lang).replace("{n}", &n.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOTH: [Lang; 2] = [Lang::Zh, Lang::En];

    #[test]
    fn query_parameter_wins_over_header_and_default() {
        let lang = Lang::negotiate(Some("en"), Some("zh-CN,zh;q=0.9"), &BOTH, Lang::Zh);
        assert_eq!(lang, Lang::En);
    }

    #[test]
    fn header_is_used_by_q_value_then_order() {
        let lang = Lang::negotiate(None, Some("fr;q=1, zh;q=0.5, en-GB;q=0.8"), &BOTH, Lang::Zh);
        assert_eq!(lang, Lang::En);
        let lang = Lang::negotiate(None, Some("en-US,zh-CN"), &BOTH, Lang::Zh);
        assert_eq!(lang, Lang::En);
    }

    #[test]
    fn unoffered_or_malformed_choices_fall_back_to_the_default() {
        assert_eq!(
            Lang::negotiate(Some("fr"), Some("de"), &BOTH, Lang::Zh),
            Lang::Zh
        );
        assert_eq!(
            Lang::negotiate(None, Some("en;q=abc"), &BOTH, Lang::Zh),
            Lang::Zh
        );
        assert_eq!(
            Lang::negotiate(None, Some("en;q=0"), &BOTH, Lang::Zh),
            Lang::Zh
        );
        assert_eq!(
            Lang::negotiate(Some("en"), None, &[Lang::Zh], Lang::Zh),
            Lang::Zh
        );
    }

    #[test]
    fn every_message_exists_in_both_languages() {
        for lang in Lang::ALL {
            assert!(!Ui::MsgRequired.text(lang).is_empty());
        }
        assert_eq!(Ui::MsgAtLeast.fill(Lang::En, 3), "Must be at least 3.");
    }
}
