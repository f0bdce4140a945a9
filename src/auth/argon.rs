//! The argon2id computation itself, in memory the caller keeps: each password thread allocates its 19 MiB once and reuses it for every hash and check.
//!
//! argon2's own `hash_password` and `verify_password` allocate 19 MiB per call. Freed
//! on a thread, that memory mostly stays with the process (the allocator keeps it for
//! the thread), so the resident size grew by several times 19 MiB per thread however
//! few checks ran at once. With memory owned by the thread it is exactly 19 MiB each.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

/// OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane.
fn params() -> Params {
    Params::new(19 * 1024, 2, 1, None).unwrap_or_default()
}

/// A stored hash asking for more than this much memory (in KiB blocks) is refused
/// rather than allowed to grow a thread's memory without bound.
const MAX_BLOCKS: usize = 64 * 1024;

/// A valid hash of a random password, checked against when the user does not
/// exist, so a login for an unknown name takes as long as one for a known name.
pub const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Jr1QmKq6XhO0JzG7m2f8XVq5bFq0p7T0Yb6n6oO5xkY";

/// Runs argon2 into `out`, growing `memory` (once) to what `params` need.
fn compute(
    memory: &mut Vec<Block>,
    argon: &Argon2<'_>,
    blocks: usize,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> Option<()> {
    if blocks > MAX_BLOCKS {
        return None;
    }
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let memory = memory.get_mut(..blocks)?;
    argon
        .hash_password_into_with_memory(password, salt, out, memory)
        .ok()
}

/// Hashes a password into a PHC string (salt and parameters included).
pub fn hash_with(memory: &mut Vec<Block>, password: &str) -> anyhow::Result<String> {
    let fail = |e: argon2::password_hash::Error| anyhow::anyhow!("Failed to hash a password: {e}");
    let params = params();
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.as_salt().decode_b64(&mut salt_bytes).map_err(fail)?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    compute(
        memory,
        &argon,
        params.block_count(),
        password.as_bytes(),
        salt_bytes,
        &mut out,
    )
    .ok_or_else(|| anyhow::anyhow!("Failed to hash a password"))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(fail)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(fail)?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `hash` (with the hash's own algorithm,
/// version and parameters; compared in constant time). Anything unreadable is a no.
pub fn verify_with(memory: &mut Vec<Block>, hash: &str, password: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(version), Ok(params)) = (
        Algorithm::try_from(parsed.algorithm),
        parsed.version.map_or(Ok(Version::V0x13), Version::try_from),
        Params::try_from(&parsed),
    ) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    let blocks = params.block_count();
    let argon = Argon2::new(algorithm, version, params);
    compute(memory, &argon, blocks, password.as_bytes(), salt, &mut out).is_some()
        && Output::new(&out).is_ok_and(|computed| computed == expected)
}

#[cfg(test)]
mod tests {
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    use super::*;

    #[test]
    fn hashes_agree_with_argon2s_own_in_both_directions() {
        let mut memory = Vec::new();
        let ours = hash_with(&mut memory, "correct horse").unwrap();
        assert!(ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        let standard = Argon2::new(Algorithm::Argon2id, Version::V0x13, params());
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(standard.verify_password(b"correct horse", &parsed).is_ok());
        assert!(standard.verify_password(b"wrong horse", &parsed).is_err());
        let salt = SaltString::generate(&mut OsRng);
        let theirs = standard
            .hash_password(b"battery", &salt)
            .unwrap()
            .to_string();
        assert!(verify_with(&mut memory, &theirs, "battery"));
        assert!(!verify_with(&mut memory, &theirs, "staple"));
    }

    #[test]
    fn reused_memory_gives_the_same_answers_and_stays_one_size() {
        let mut memory = Vec::new();
        let hash = hash_with(&mut memory, "correct horse").unwrap();
        for _ in 0..3 {
            assert!(verify_with(&mut memory, &hash, "correct horse"));
            assert!(!verify_with(&mut memory, &hash, "correct horsf"));
        }
        assert_eq!(memory.len(), 19 * 1024, "19 MiB, allocated once");
    }

    #[test]
    fn unreadable_or_greedy_hashes_never_verify() {
        let mut memory = Vec::new();
        assert!(!verify_with(&mut memory, "not a hash", "x"));
        assert!(!verify_with(
            &mut memory,
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ",
            "x"
        ));
        let greedy = "$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Jr1QmKq6XhO0JzG7m2f8XVq5bFq0p7T0Yb6n6oO5xkY";
        assert!(!verify_with(&mut memory, greedy, "x"));
        assert!(memory.is_empty(), "nothing was allocated for them");
    }

    #[test]
    fn the_dummy_hash_is_real_so_unknown_users_cost_the_same_work() {
        // If it did not parse, a login for an unknown name would skip argon2 and answer
        // measurably faster, telling an attacker which usernames exist.
        let parsed = PasswordHash::new(DUMMY_HASH).expect("a valid PHC string");
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        let params = Params::try_from(&parsed).expect("argon2 parameters");
        assert_eq!(
            (params.m_cost(), params.t_cost(), params.p_cost()),
            (19 * 1024, 2, 1)
        );
        let mut memory = Vec::new();
        assert!(!verify_with(&mut memory, DUMMY_HASH, "anything"));
        assert_eq!(memory.len(), 19 * 1024, "the full work was done");
    }
}
