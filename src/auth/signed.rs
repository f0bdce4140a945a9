//! Signed tokens for the login page, HMAC-SHA256 with the server's key: the CSRF token that needs no session, and the device token of a browser an account logged in from.
//!
//! The login form's CSRF token is a signed double-submit token: the same value goes in
//! a cookie and in the form, and a post counts only when both match and the signature
//! is this server's. Nothing is stored, so anonymous visitors cost no session row.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use super::csrf::constant_time_eq;

type HmacSha256 = Hmac<Sha256>;

/// The name of the key in the `secret` table.
pub const KEY_NAME: &str = "login-signing";

/// How long a login form stays usable: as long as an idle session lives.
pub const LOGIN_TOKEN_TTL: u64 = 12 * 3600;

/// How long a browser counts as one the account logs in from.
pub const DEVICE_TOKEN_TTL: u64 = 30 * 24 * 3600;

/// Clocks move a little between machines and NTP steps; a token from a few seconds
/// "in the future" is still ours.
const CLOCK_SKEW: u64 = 300;

/// Seconds since 1970, the time tokens carry.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The purpose is part of what is signed, so a token made for one use never passes for another.
fn mac(key: &[u8; 32], purpose: &str, payload: &str) -> Option<HmacSha256> {
    let mut m = HmacSha256::new_from_slice(key).ok()?;
    m.update(purpose.as_bytes());
    m.update(b"\n");
    m.update(payload.as_bytes());
    Some(m)
}

pub(crate) fn sign(key: &[u8; 32], purpose: &str, payload: &str) -> String {
    let tag = mac(key, purpose, payload)
        .map(|m| hex::encode(m.finalize().into_bytes()))
        .unwrap_or_default();
    format!("{payload}.{tag}")
}

/// The payload of a token this key signed for `purpose` (compared in constant time).
pub(crate) fn verify<'a>(key: &[u8; 32], purpose: &str, token: &'a str) -> Option<&'a str> {
    let (payload, tag) = token.rsplit_once('.')?;
    let tag = hex::decode(tag).ok()?;
    mac(key, purpose, payload)?.verify_slice(&tag).ok()?;
    Some(payload)
}

/// How old a token issued at `issued` is, if it is younger than `ttl`.
fn age(issued: &str, now: u64, ttl: u64) -> Option<u64> {
    let issued: u64 = issued.parse().ok()?;
    if issued > now + CLOCK_SKEW {
        return None;
    }
    let age = now.saturating_sub(issued);
    (age <= ttl).then_some(age)
}

/// A fresh login-form token: issue time, random nonce, signature.
pub fn login_token(key: &[u8; 32], now: u64) -> String {
    let mut nonce = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut nonce);
    sign(key, "login-form", &format!("{now}.{}", hex::encode(nonce)))
}

/// The age in seconds of a login token signed with this key; `None` when it is not
/// ours, damaged or expired.
pub fn login_token_age(key: &[u8; 32], token: &str, now: u64) -> Option<u64> {
    let payload = verify(key, "login-form", token)?;
    let (issued, _nonce) = payload.split_once('.')?;
    age(issued, now, LOGIN_TOKEN_TTL)
}

/// A login post is genuine when the cookie and the form hold the same token, and this
/// server signed it recently. A forged site can neither read the cookie nor set it.
pub fn login_post_genuine(
    key: &[u8; 32],
    cookie: Option<&str>,
    field: Option<&str>,
    now: u64,
) -> bool {
    match (cookie, field) {
        (Some(c), Some(f)) => {
            constant_time_eq(c.as_bytes(), f.as_bytes()) && login_token_age(key, f, now).is_some()
        }
        _ => false,
    }
}

/// A device token for a browser holding a session of `username`. The name is signed,
/// not carried, so the cookie does not tell who uses the device.
pub fn device_token(key: &[u8; 32], username: &str, now: u64) -> String {
    sign(key, &device_purpose(username), &now.to_string())
}

pub fn device_token_valid(key: &[u8; 32], token: &str, username: &str, now: u64) -> bool {
    verify(key, &device_purpose(username), token)
        .and_then(|issued| age(issued, now, DEVICE_TOKEN_TTL))
        .is_some()
}

fn device_purpose(username: &str) -> String {
    format!("device\n{}", username.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [7; 32];
    const NOW: u64 = 1_800_000_000;

    #[test]
    fn a_login_token_passes_only_with_its_own_cookie_key_and_age() {
        let t = login_token(&KEY, NOW);
        assert!(login_post_genuine(&KEY, Some(&t), Some(&t), NOW + 60));
        let other = login_token(&KEY, NOW);
        assert_ne!(t, other, "each token has its own nonce");
        assert!(!login_post_genuine(&KEY, Some(&t), Some(&other), NOW));
        assert!(!login_post_genuine(&KEY, None, Some(&t), NOW));
        assert!(!login_post_genuine(&KEY, Some(&t), None, NOW));
        assert!(!login_post_genuine(&[8; 32], Some(&t), Some(&t), NOW));
        assert!(!login_post_genuine(
            &KEY,
            Some(&t),
            Some(&t),
            NOW + LOGIN_TOKEN_TTL + 1
        ));
        assert!(!login_post_genuine(
            &KEY,
            Some(&t),
            Some(&t),
            NOW - CLOCK_SKEW - 1
        ));
    }

    #[test]
    fn a_tampered_or_malformed_token_is_refused() {
        let t = login_token(&KEY, NOW);
        let later = t.replacen(&NOW.to_string(), &(NOW + 1).to_string(), 1);
        for bad in [later.as_str(), "", ".", "x.y.z", "1800000000.aa.zz"] {
            assert_eq!(login_token_age(&KEY, bad, NOW), None, "{bad}");
        }
        // A device token is not a login token, though both are signed with the key.
        let d = device_token(&KEY, "ada", NOW);
        assert_eq!(login_token_age(&KEY, &d, NOW), None);
    }

    #[test]
    fn a_device_token_belongs_to_one_account_for_thirty_days() {
        let d = device_token(&KEY, "Ada", NOW);
        assert!(device_token_valid(&KEY, &d, "ada", NOW + 3600));
        assert!(!device_token_valid(&KEY, &d, "bob", NOW));
        assert!(!device_token_valid(
            &KEY,
            &d,
            "ada",
            NOW + DEVICE_TOKEN_TTL + 1
        ));
        assert!(!device_token_valid(&[1; 32], &d, "ada", NOW));
    }
}
