//! Webhook signatures: `X-Manyi-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`, made and checked.
//!
//! The timestamp is inside the signed text, so a receiver that refuses old timestamps
//! cannot be fed a recorded delivery again later. The key is the secret exactly as the
//! admin page shows it (64 hex digits, their ASCII bytes), so a receiver in any
//! language pastes it in without decoding anything.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The prefix of the signature header's value: which hash, as GitHub and Stripe do.
pub const SCHEME: &str = "sha256=";

/// A new secret: 32 random bytes as 64 hex digits.
pub fn new_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> HmacSha256 {
    // HMAC takes a key of any length, so this never fails.
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The `X-Manyi-Signature` value for `body` sent at `timestamp` (unix seconds).
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    format!(
        "{SCHEME}{}",
        hex::encode(mac(secret, timestamp, body).finalize().into_bytes())
    )
}

/// Why a receiver refuses a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The timestamp header is not a whole number of seconds.
    BadTimestamp,
    /// Sent longer ago (or further ahead) than the receiver tolerates: maybe a replay.
    Stale,
    /// The signature is missing its `sha256=` prefix, is not hex, or does not match.
    BadSignature,
}

/// What a receiver does with the headers: checks the timestamp is within `tolerance`
/// seconds of `now` and the signature matches, in constant time. manyi's own tests
/// receive with it; the README shows the same steps for other languages.
pub fn verify(
    secret: &str,
    timestamp_header: &str,
    body: &[u8],
    signature_header: &str,
    now: i64,
    tolerance: i64,
) -> Result<(), Refusal> {
    let timestamp: i64 = timestamp_header
        .trim()
        .parse()
        .map_err(|_| Refusal::BadTimestamp)?;
    if (now - timestamp).abs() > tolerance {
        return Err(Refusal::Stale);
    }
    let given = signature_header
        .trim()
        .strip_prefix(SCHEME)
        .and_then(|h| hex::decode(h).ok())
        .ok_or(Refusal::BadSignature)?;
    mac(secret, timestamp, body)
        .verify_slice(&given)
        .map_err(|_| Refusal::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f";
    const BODY: &[u8] = br#"{"case":{"code":"C-2026-0001"},"delivery":7,"event":"case.opened","sent_at":"2026-03-01T08:00:00Z"}"#;
    /// 2026-03-01T08:00:00Z.
    const AT: i64 = 1_772_352_000;
    /// Computed apart from this code (Python's `hmac.new(key, b"1772352000." + body,
    /// hashlib.sha256).hexdigest()`).
    const EXPECTED: &str =
        "sha256=c365203b20e436f33dedcef5aaf056f1f01061c7ae7ac84cb1bffab449f4f265";

    #[test]
    fn the_hmac_is_the_standard_one() {
        // RFC 4231, test case 2: key "Jefe", with our "<timestamp>." prefix left out.
        let mut mac = HmacSha256::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn a_delivery_is_signed_over_its_timestamp_a_dot_and_its_body() {
        assert_eq!(signature(SECRET, AT, BODY), EXPECTED);
    }

    #[test]
    fn a_receiver_accepts_the_signature_within_its_tolerance() {
        assert_eq!(
            verify(SECRET, "1772352000", BODY, EXPECTED, AT + 299, 300),
            Ok(())
        );
        assert_eq!(
            verify(SECRET, " 1772352000 ", BODY, EXPECTED, AT - 5, 300),
            Ok(())
        );
    }

    #[test]
    fn a_receiver_refuses_a_changed_body_a_wrong_key_or_another_timestamp() {
        let changed = br#"{"case":{"code":"C-2026-0002"},"delivery":7,"event":"case.opened","sent_at":"2026-03-01T08:00:00Z"}"#;
        assert_eq!(
            verify(SECRET, "1772352000", changed, EXPECTED, AT, 300),
            Err(Refusal::BadSignature)
        );
        let other_key = "00".repeat(32);
        assert_eq!(
            verify(&other_key, "1772352000", BODY, EXPECTED, AT, 300),
            Err(Refusal::BadSignature)
        );
        // The same signature under a newer timestamp: a replay with its header rewritten.
        assert_eq!(
            verify(SECRET, "1772352001", BODY, EXPECTED, AT, 300),
            Err(Refusal::BadSignature)
        );
    }

    #[test]
    fn a_receiver_refuses_old_timestamps_and_malformed_headers() {
        assert_eq!(
            verify(SECRET, "1772352000", BODY, EXPECTED, AT + 301, 300),
            Err(Refusal::Stale)
        );
        assert_eq!(
            verify(SECRET, "yesterday", BODY, EXPECTED, AT, 300),
            Err(Refusal::BadTimestamp)
        );
        let bare = EXPECTED.trim_start_matches(SCHEME);
        for bad in [bare, "sha256=zz", "sha1=c365", ""] {
            assert_eq!(
                verify(SECRET, "1772352000", BODY, bad, AT, 300),
                Err(Refusal::BadSignature),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn secrets_are_64_hex_digits_and_differ() {
        let (a, b) = (new_secret(), new_secret());
        assert_eq!(a.len(), 64);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_ne!(a, b);
    }
}
