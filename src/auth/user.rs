//! The logged-in user, read from the session on every request that needs one, and the roles.

use std::fmt;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use super::csrf::session_error;
use crate::db::users;
use crate::error::Error;
use crate::i18n::Lang;

/// The session key holding the user's id.
pub const SESSION_USER: &str = "user_id";

/// The session key holding the account's `session_epoch` at login. A password reset,
/// a disable or a role change moves the account's epoch on, and every session
/// holding the old one is refused from its next request.
pub const SESSION_EPOCH: &str = "epoch";

/// The session key holding the language chosen on the account, copied at login and on a
/// change, so pages drawn without reading the account (error pages) know it too.
pub const SESSION_LANG: &str = "lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Manager,
    /// Handles the complaint cases of the stores bound to the account (`user_store`).
    StoreManager,
    Shopper,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Admin,
        Role::Manager,
        Role::StoreManager,
        Role::Shopper,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::StoreManager => "store_manager",
            Role::Shopper => "shopper",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Managers and admins see every store and every audit.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Admin | Role::Manager)
    }

    /// Who works on complaint cases: managers and admins for every store, store
    /// managers for their own.
    pub fn handles_cases(self) -> bool {
        matches!(self, Role::Admin | Role::Manager | Role::StoreManager)
    }
}

impl Role {
    /// The role's name as staff pages show it.
    pub fn name(self, lang: Lang) -> &'static str {
        use crate::i18n::staff::Staff;
        match self {
            Role::Admin => Staff::RoleAdmin.text(lang),
            Role::Manager => Staff::RoleManager.text(lang),
            Role::StoreManager => Staff::RoleStoreManager.text(lang),
            Role::Shopper => Staff::RoleShopper.text(lang),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A logged-in, enabled user. Extracting it refuses anonymous requests
/// (the HTML error sends them to the login page).
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: i64,
    pub username: String,
    pub role: Role,
    /// The language this request's pages are in: `?lang=`, else the account's choice,
    /// else the browser's (see `web::lang`).
    pub lang: Lang,
    pub session: Session,
}

impl CurrentUser {
    /// What a page needs to know about its reader, including the session's CSRF token.
    pub async fn viewer(&self) -> Result<crate::views::staff::Viewer, Error> {
        Ok(crate::views::staff::Viewer {
            username: self.username.clone(),
            role: self.role,
            lang: self.lang,
            csrf: super::csrf_token(&self.session).await?,
        })
    }

    pub fn require_staff(&self) -> Result<(), Error> {
        if self.role.is_staff() {
            Ok(())
        } else {
            Err(Error::forbidden_role())
        }
    }

    pub fn require_admin(&self) -> Result<(), Error> {
        if self.role == Role::Admin {
            Ok(())
        } else {
            Err(Error::forbidden_role())
        }
    }
}

impl<S> FromRequestParts<S> for CurrentUser
where
    S: Send + Sync,
    crate::db::Pool: FromRef<S>,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|_| Error::Other(anyhow::anyhow!("the session layer is missing")))?;
        let Some(id) = session
            .get::<i64>(SESSION_USER)
            .await
            .map_err(session_error)?
        else {
            return Err(Error::Unauthorized);
        };
        // A session from before epochs existed has none, and counts as stale.
        let epoch = session
            .get::<i64>(SESSION_EPOCH)
            .await
            .map_err(session_error)?;
        let pool = crate::db::Pool::from_ref(state);
        match users::by_id(&pool, id).await? {
            Some(u) if !u.disabled && epoch == Some(u.session_epoch) => Ok(CurrentUser {
                lang: crate::web::lang::for_account(parts, u.lang),
                id: u.id,
                username: u.username,
                role: u.role,
                session,
            }),
            // A disabled or deleted account, or one changed since this session began,
            // loses the session at once.
            _ => {
                session.flush().await.map_err(session_error)?;
                Err(Error::Unauthorized)
            }
        }
    }
}
