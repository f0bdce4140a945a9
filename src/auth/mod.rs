//! Who is asking: passwords, the session's user and role, CSRF tokens, the login rate limit and the login page's signed cookies.

mod argon;
mod csrf;
mod login;
mod password;
mod ratelimit;
pub mod signed;
mod user;

pub(crate) use csrf::session_error;
pub use csrf::{CSRF_FIELD, csrf_refused, csrf_token, verify_csrf};
pub use login::LoginLimiter;
pub use password::{GateFull, PasswordGate, hash_password};
pub use ratelimit::{Policy, Refusal, Slot, address_key};
pub use user::{CurrentUser, Role, SESSION_EPOCH, SESSION_LANG, SESSION_USER};
