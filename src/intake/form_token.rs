//! The customer form's token: issued by the server on GET, signed for one form and store, good for one response within its lifetime.
//!
//! A token is `issued.nonce.signature`: the issue time (seconds since 1970), 64 random
//! bits, and an HMAC-SHA256 with the server's key over both and the form and store it
//! was issued for. Nothing is stored when it is issued; the response stores it as its
//! submission key, whose unique index makes a token good for one response.

use rand::RngCore;

use crate::auth::signed::{sign, verify};

/// Default lifetime (`--form-token-hours`): a day, long enough for a form left open
/// on a phone over lunch, short enough that harvested tokens go stale.
pub const DEFAULT_LIFETIME_SECS: u64 = 24 * 3600;

/// A token issued "in the future" by less than this is still ours (clocks step).
const CLOCK_SKEW: u64 = 300;

/// What a posted token turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenCheck {
    /// Issued by this server for this form and store, this many seconds ago.
    Valid { age_secs: u64 },
    /// Ours, but older than its lifetime.
    Expired,
    /// Not issued by this server, for another form or store, or damaged.
    Forged,
}

/// What is signed besides the payload: the form and the store, so a token issued for
/// one never passes for another.
fn purpose(form_id: &str, store: Option<&str>) -> String {
    format!("form\n{form_id}\n{}", store.unwrap_or(""))
}

/// A fresh token for one filling of `form_id` at `store`.
pub fn issue(key: &[u8; 32], form_id: &str, store: Option<&str>, now: u64) -> String {
    let mut nonce = [0u8; 8];
    rand::thread_rng().fill_bytes(&mut nonce);
    sign(
        key,
        &purpose(form_id, store),
        &format!("{now}.{}", hex::encode(nonce)),
    )
}

/// Checks a posted token against the form and store it must have been issued for.
pub fn check(
    key: &[u8; 32],
    token: &str,
    form_id: &str,
    store: Option<&str>,
    now: u64,
    lifetime_secs: u64,
) -> TokenCheck {
    let Some(payload) = verify(key, &purpose(form_id, store), token) else {
        return TokenCheck::Forged;
    };
    let Some(issued) = payload
        .split_once('.')
        .and_then(|(issued, _)| issued.parse::<u64>().ok())
    else {
        return TokenCheck::Forged;
    };
    if issued > now.saturating_add(CLOCK_SKEW) {
        return TokenCheck::Forged;
    }
    let age_secs = now.saturating_sub(issued);
    if age_secs > lifetime_secs {
        TokenCheck::Expired
    } else {
        TokenCheck::Valid { age_secs }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [3; 32];
    const NOW: u64 = 1_800_000_000;
    const DAY: u64 = DEFAULT_LIFETIME_SECS;

    #[test]
    fn a_token_is_valid_for_its_form_and_store_until_it_expires() {
        let t = issue(&KEY, "post-purchase", Some("S001"), NOW);
        assert_eq!(
            check(&KEY, &t, "post-purchase", Some("S001"), NOW + 95, DAY),
            TokenCheck::Valid { age_secs: 95 }
        );
        assert_eq!(
            check(&KEY, &t, "post-purchase", Some("S001"), NOW + DAY + 1, DAY),
            TokenCheck::Expired
        );
        assert_ne!(t, issue(&KEY, "post-purchase", Some("S001"), NOW));
    }

    #[test]
    fn a_token_for_another_form_store_or_key_or_a_made_up_one_is_forged() {
        let t = issue(&KEY, "post-purchase", Some("S001"), NOW);
        let forged = |token: &str, form: &str, store: Option<&str>, key: &[u8; 32]| {
            check(key, token, form, store, NOW, DAY) == TokenCheck::Forged
        };
        assert!(forged(&t, "after-service", Some("S001"), &KEY));
        assert!(forged(&t, "post-purchase", Some("S002"), &KEY));
        assert!(forged(&t, "post-purchase", None, &KEY));
        assert!(forged(&t, "post-purchase", Some("S001"), &[4; 32]));
        let made_up = "0123456789abcdef0123456789abcdef";
        assert!(forged(made_up, "post-purchase", Some("S001"), &KEY));
        let later = t.replacen(&NOW.to_string(), &(NOW - 10).to_string(), 1);
        assert!(forged(&later, "post-purchase", Some("S001"), &KEY));
        assert!(forged("", "post-purchase", None, &KEY));
        // Issued well "in the future": not from this server's clock.
        let ahead = issue(&KEY, "f", None, NOW + CLOCK_SKEW + 1);
        assert!(forged(&ahead, "f", None, &KEY));
    }
}
