//! The public form's guards around a submission: cross-site posts, the device cookie the duplicate check uses, the store a post names, and the quality flags.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use rand::RngCore;

use super::AppState;
use crate::db::responses::ReceiptUse;
use crate::error::{Error, Result};
use crate::i18n::{Lang, Msg, Ui};
use crate::intake::form_token::{self, TokenCheck};
use crate::receipt::{self, ReceiptError};
use crate::survey::Survey;

/// A post from another site's page is refused: browsers say where a post comes from
/// in `Sec-Fetch-Site`, older ones in `Origin`. One that sends neither (some in-app
/// browsers of chat apps, which open most QR scans) is let through to the token check.
pub fn cross_site(headers: &HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return site.eq_ignore_ascii_case("cross-site");
    }
    let Some(origin) = text(header::ORIGIN.as_str()) else {
        return false;
    };
    let host = text(header::HOST.as_str()).unwrap_or_default();
    // `Origin: null` comes from sandboxed or privacy-stripped contexts: not our page.
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest.trim_end_matches('/'));
    origin_host.is_none_or(|h| !h.eq_ignore_ascii_case(host))
}

pub const CROSS_SITE: &str = "This form can only be sent from its own page. Please open the survey link or scan the QR code again. 问卷只能在它自己的页面上提交，请重新打开问卷链接或再扫一次二维码。";

/// The device cookie: a random id the duplicate check remembers answer sets under,
/// so one phone sending the same answers again from another network is still seen.
/// It says nothing about the person and is read only by this server.
const DEVICE_COOKIE: &str = "manyi_device";
/// A year: a phone that fills the survey monthly keeps one id.
const DEVICE_MAX_AGE: u64 = 365 * 24 * 3600;

/// The device id the browser sent, if it is one this server could have made.
pub fn device(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().strip_prefix(DEVICE_COOKIE)?.strip_prefix('='))
        .find(|v| v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_owned)
}

/// A `Set-Cookie` for a new device id, when the browser has none yet.
pub fn device_cookie(headers: &HeaderMap, secure: bool) -> Option<HeaderValue> {
    if device(headers).is_some() {
        return None;
    }
    let mut id = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut id);
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{DEVICE_COOKIE}={}; Path=/s/; Max-Age={DEVICE_MAX_AGE}; HttpOnly; SameSite=Lax{secure}",
        hex::encode(id)
    ))
    .ok()
}

/// The store a post names: a registered one, or none. A survey whose customers choose the
/// store (`ask_store`) gets an unknown one back as its refusal rather than as an error page,
/// so the first page can say it next to the picker with every answer kept.
pub async fn posted_store(
    state: &AppState,
    survey: &Survey,
    code: Option<String>,
) -> Result<(Option<String>, Option<Msg>)> {
    match crate::stores::resolve(&state.db, code).await {
        Ok(store) => Ok((store, None)),
        Err(Error::BadRequest(msg)) if survey.ask_store => Ok((None, Some(msg))),
        Err(e) => Err(e),
    }
}

/// Checks a posted token, and says whether the customer is choosing the store. Tokens are
/// bound to the store they were issued for; on a survey that asks for the store, the one
/// issued with none (the picker's page) also stands for the store chosen on it, while one
/// issued for a store (its QR code) still stands for that store only.
pub fn check_token(
    key: &[u8; 32],
    token: Option<&str>,
    survey: &Survey,
    store: Option<&str>,
    (now, lifetime): (u64, u64),
) -> (TokenCheck, bool) {
    let check = |store| {
        token.map_or(TokenCheck::Forged, |t| {
            form_token::check(key, t, &survey.id, store, now, lifetime)
        })
    };
    let bound = check(store);
    if !survey.ask_store || store.is_none() {
        return (bound, survey.ask_store);
    }
    match (bound, check(None)) {
        (TokenCheck::Forged, TokenCheck::Forged) => (TokenCheck::Forged, false),
        (TokenCheck::Forged, storeless) => (storeless, true),
        (bound, _) => (bound, false),
    }
}

/// Why the store a choosing customer posted can't be taken, as the picker says it: none
/// chosen reads like any unanswered required question; an unknown one is a bad request.
pub fn store_problem(
    lang: Lang,
    store: Option<&str>,
    refused: Option<&Msg>,
) -> Option<(StatusCode, String)> {
    match (store, refused) {
        (_, Some(msg)) => Some((StatusCode::BAD_REQUEST, msg.get(lang).to_owned())),
        (None, None) => Some((
            StatusCode::UNPROCESSABLE_ENTITY,
            Ui::MsgRequired.text(lang).to_owned(),
        )),
        (Some(_), None) => None,
    }
}

/// A receipt code that checked out: the purchase it names.
#[derive(Debug, Clone)]
pub struct Receipt {
    /// The store the code names: it fixes the response's store.
    pub store: String,
    pub used: ReceiptUse,
}

/// Checks a typed or linked receipt code: the check digit, the chain's signature, the
/// purchase day's age and a registered store with the code's number.
pub async fn check_receipt(
    state: &AppState,
    input: &str,
) -> Result<std::result::Result<Receipt, ReceiptError>> {
    let key = state.intake.receipt_key(&state.db.write).await?;
    let code = match receipt::decode(key, input) {
        Ok(code) => code,
        Err(e) => return Ok(Err(e)),
    };
    let max_age = state.intake.policy.receipt_max_age_days;
    if let Err(e) = receipt::check_age(&code, state.settings.today(), max_age) {
        return Ok(Err(e));
    }
    let stores = crate::db::stores::list(&state.db.read).await?;
    let Some(store) = stores
        .into_iter()
        .find(|s| receipt::store_number_of(&s.code) == Some(code.store_number))
    else {
        // Signed with our key for a store number nobody has: not a real purchase.
        return Ok(Err(ReceiptError::Forged));
    };
    let digits: String = receipt::encode(key, &code)
        .map_err(|e| anyhow::anyhow!("re-encoding a decoded receipt code: {e}"))?;
    let used = ReceiptUse {
        key: digits.chars().take(16).collect(),
        purchase_day: code.day,
    };
    // Said before the customer answers anything; the writer's unique index still
    // decides when two fillings race with one slip.
    if crate::db::responses::receipt_used(&state.db.read, &used.key).await? {
        return Ok(Err(ReceiptError::Reused));
    }
    Ok(Ok(Receipt {
        store: store.code,
        used,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(name: header::HeaderName, v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn the_device_cookie_is_read_only_when_well_formed_and_set_only_when_missing() {
        let id = "0123456789abcdef0123456789abcdef";
        let h = with(header::COOKIE, &format!("a=b; manyi_device={id}; c=d"));
        assert_eq!(device(&h).as_deref(), Some(id));
        assert!(device_cookie(&h, false).is_none());
        let bad = with(header::COOKIE, "manyi_device=<script>");
        assert_eq!(device(&bad), None);
        let set = device_cookie(&bad, true).unwrap();
        let set = set.to_str().unwrap();
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Secure"));
    }

    fn survey(ask_store: bool) -> Survey {
        let src = include_str!("../../surveys/complaint.toml");
        let src = if ask_store {
            src.to_owned()
        } else {
            src.replace("ask_store = true", "ask_store = false")
        };
        crate::survey::parse_survey("complaint.toml", &src).expect("shipped survey loads")
    }

    #[test]
    fn a_storeless_token_stands_for_the_chosen_store_only_where_the_customer_chooses() {
        const KEY: [u8; 32] = [5; 32];
        let now = (1_800_000_000, 3600);
        let t = form_token::issue(&KEY, "complaint", None, now.0 - 60);
        let valid = TokenCheck::Valid { age_secs: 60 };
        let picks = survey(true);
        assert_eq!(
            check_token(&KEY, Some(&t), &picks, None, now),
            (valid, true)
        );
        assert_eq!(
            check_token(&KEY, Some(&t), &picks, Some("S002"), now),
            (valid, true)
        );
        let fixed = survey(false);
        assert_eq!(
            check_token(&KEY, Some(&t), &fixed, Some("S002"), now),
            (TokenCheck::Forged, false)
        );
    }

    #[test]
    fn a_token_for_one_store_still_refuses_another_where_the_customer_chooses() {
        const KEY: [u8; 32] = [5; 32];
        let now = (1_800_000_000, 3600);
        let picks = survey(true);
        let t = form_token::issue(&KEY, "complaint", Some("S001"), now.0 - 60);
        assert_eq!(
            check_token(&KEY, Some(&t), &picks, Some("S001"), now),
            (TokenCheck::Valid { age_secs: 60 }, false)
        );
        assert_eq!(
            check_token(&KEY, Some(&t), &picks, Some("S002"), now),
            (TokenCheck::Forged, false)
        );
        assert_eq!(
            check_token(&KEY, None, &picks, None, now),
            (TokenCheck::Forged, true)
        );
    }

    #[test]
    fn a_missing_store_reads_as_required_and_an_unknown_one_as_a_bad_request() {
        let (status, text) = store_problem(Lang::Zh, None, None).unwrap();
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(text, Ui::MsgRequired.text(Lang::Zh));
        let refused = Msg::both("没有", "There is no store 'X'.");
        let (status, text) = store_problem(Lang::En, None, Some(&refused)).unwrap();
        assert_eq!(
            (status, text.as_str()),
            (StatusCode::BAD_REQUEST, "There is no store 'X'.")
        );
        assert_eq!(store_problem(Lang::En, Some("S001"), None), None);
    }

    #[test]
    fn cross_site_is_decided_by_fetch_metadata_then_origin() {
        assert!(cross_site(&with(
            header::HeaderName::from_static("sec-fetch-site"),
            "cross-site"
        )));
        assert!(!cross_site(&with(
            header::HeaderName::from_static("sec-fetch-site"),
            "same-origin"
        )));
        assert!(!cross_site(&HeaderMap::new()));
        let mut h = with(header::ORIGIN, "https://a.example");
        h.insert(header::HOST, HeaderValue::from_static("a.example"));
        assert!(!cross_site(&h));
        h.insert(header::HOST, HeaderValue::from_static("b.example"));
        assert!(cross_site(&h));
    }
}
