//! Who is asking: passwords, the session's user and role, CSRF tokens and the login rate limit.

mod csrf;
mod password;
mod ratelimit;
mod user;

pub(crate) use csrf::session_error;
pub use csrf::{CSRF_FIELD, csrf_token, verify_csrf};
pub use password::{hash_password, verify_password};
pub use ratelimit::LoginLimiter;
pub use user::{CurrentUser, Role, SESSION_USER};
