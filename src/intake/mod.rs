//! What stands between the public and the indicators: form tokens, per-address limits, receipt codes and the quality checks, with the keys and counts they keep.

use crate::db::Pool;

pub mod address_limit;
pub mod checks;
pub mod form_token;
pub mod recent;

use std::time::Duration;

use tokio::sync::OnceCell;

use address_limit::AddressLimits;

/// The settings behind the public intake (flags `--form-token-hours`, `--form-per-hour`,
/// `--form-per-day`, `--receipt-max-age-days`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub token_lifetime: Duration,
    pub per_address: address_limit::Policy,
    /// A receipt older than this many days is refused.
    pub receipt_max_age_days: u32,
}

/// Default for `--receipt-max-age-days`: a month, as the big receipt surveys allow.
pub const DEFAULT_RECEIPT_MAX_AGE_DAYS: u32 = 30;

impl Default for Policy {
    fn default() -> Self {
        Policy {
            token_lifetime: Duration::from_secs(form_token::DEFAULT_LIFETIME_SECS),
            per_address: address_limit::Policy::default(),
            receipt_max_age_days: DEFAULT_RECEIPT_MAX_AGE_DAYS,
        }
    }
}

/// The intake's keys and counts; one per server, in `AppState`.
pub struct Intake {
    pub policy: Policy,
    pub addresses: AddressLimits,
    /// Recent answer sets and store activity, for the duplicate and burst checks.
    pub recent: recent::Recent,
    // Loaded on first use and then kept (see `db::secrets`).
    form_key: OnceCell<[u8; 32]>,
    receipt_key: OnceCell<[u8; 32]>,
    case_key: OnceCell<[u8; 32]>,
}

impl std::fmt::Debug for Intake {
    // Never the keys.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Intake")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

/// The name of the case-link key in the `secret` table.
pub const CASE_KEY_NAME: &str = "case-link";

/// The name of the form-token key in the `secret` table.
pub const FORM_KEY_NAME: &str = "form-token";

impl Intake {
    pub fn new(policy: Policy) -> Intake {
        Intake {
            addresses: AddressLimits::new(policy.per_address.clone()),
            recent: recent::Recent::default(),
            policy,
            form_key: OnceCell::new(),
            receipt_key: OnceCell::new(),
            case_key: OnceCell::new(),
        }
    }

    /// The key form tokens are signed with.
    pub async fn form_key(&self, write: &Pool) -> sqlx::Result<&[u8; 32]> {
        self.form_key
            .get_or_try_init(|| crate::db::secrets::get_or_create(write, FORM_KEY_NAME))
            .await
    }

    /// The key that signs customers' case status and recovery links.
    pub async fn case_key(&self, write: &Pool) -> sqlx::Result<&[u8; 32]> {
        self.case_key
            .get_or_try_init(|| crate::db::secrets::get_or_create(write, CASE_KEY_NAME))
            .await
    }

    /// The chain's receipt-code key.
    pub async fn receipt_key(&self, write: &Pool) -> sqlx::Result<&[u8; 32]> {
        self.receipt_key
            .get_or_try_init(|| crate::db::secrets::get_or_create(write, crate::receipt::KEY_NAME))
            .await
    }
}
