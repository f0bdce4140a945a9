//! Login rate limit: failed attempts are counted per username and per client address in a sliding window.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Counts failures; a key over its limit is refused until its oldest failure ages out.
#[derive(Debug)]
pub struct LoginLimiter {
    window: Duration,
    per_user: usize,
    per_address: usize,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        // 5 wrong passwords per account, 20 per address, per 15 minutes.
        LoginLimiter::new(Duration::from_secs(15 * 60), 5, 20)
    }
}

impl LoginLimiter {
    pub fn new(window: Duration, per_user: usize, per_address: usize) -> LoginLimiter {
        LoginLimiter {
            window,
            per_user,
            per_address,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn keys(username: &str, address: &str) -> [(String, bool); 2] {
        [
            (format!("u:{}", username.to_lowercase()), true),
            (format!("a:{address}"), false),
        ]
    }

    /// `Err(wait)` when the username or the address has too many recent failures.
    pub fn check(&self, username: &str, address: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let mut wait = None;
        for (key, is_user) in Self::keys(username, address) {
            let limit = if is_user {
                self.per_user
            } else {
                self.per_address
            };
            if let Some(times) = map.get_mut(&key) {
                times.retain(|t| now.duration_since(*t) < self.window);
                if times.len() >= limit {
                    let oldest = times.first().copied().unwrap_or(now);
                    let left = self.window.saturating_sub(now.duration_since(oldest));
                    wait = Some(wait.map_or(left, |w: Duration| w.max(left)));
                }
            }
        }
        wait.map_or(Ok(()), Err)
    }

    pub fn record_failure(&self, username: &str, address: &str) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        // Forget idle keys so a scan of many names cannot grow the map forever.
        if map.len() > 10_000 {
            map.retain(|_, times| times.iter().any(|t| now.duration_since(*t) < self.window));
        }
        for (key, _) in Self::keys(username, address) {
            map.entry(key).or_default().push(now);
        }
    }

    /// A successful login clears the account's failures (not the address's).
    pub fn record_success(&self, username: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&format!("u:{}", username.to_lowercase()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_refused_after_its_limit_of_failures() {
        let l = LoginLimiter::new(Duration::from_secs(60), 3, 100);
        for _ in 0..3 {
            assert!(l.check("Ann", "1.1.1.1").is_ok());
            l.record_failure("Ann", "1.1.1.1");
        }
        let wait = l.check("ann", "2.2.2.2").unwrap_err();
        assert!(wait <= Duration::from_secs(60) && wait > Duration::from_secs(50));
        assert!(
            l.check("bob", "1.1.1.1").is_ok(),
            "other accounts are not affected"
        );
    }

    #[test]
    fn an_address_is_refused_after_its_limit_across_accounts() {
        let l = LoginLimiter::new(Duration::from_secs(60), 100, 2);
        l.record_failure("a", "9.9.9.9");
        l.record_failure("b", "9.9.9.9");
        assert!(l.check("c", "9.9.9.9").is_err());
        assert!(l.check("c", "8.8.8.8").is_ok());
    }

    #[test]
    fn failures_age_out_of_the_window() {
        let l = LoginLimiter::new(Duration::from_millis(20), 1, 1);
        l.record_failure("a", "x");
        assert!(l.check("a", "y").is_err());
        std::thread::sleep(Duration::from_millis(30));
        assert!(l.check("a", "y").is_ok());
    }

    #[test]
    fn success_clears_the_accounts_failures() {
        let l = LoginLimiter::new(Duration::from_secs(60), 2, 100);
        l.record_failure("a", "x");
        l.record_failure("a", "x");
        l.record_success("A");
        assert!(l.check("a", "x").is_ok());
    }
}
