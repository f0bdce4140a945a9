//! The login form, in the visitor's language.

use maud::{Markup, html};

use super::staff::{csrf, field, public_page};
use crate::answers::FieldErrors;
use crate::i18n::Lang;
use crate::i18n::staff::Staff;

pub fn login_page(lang: Lang, csrf_token: &str, username: &str, message: Option<&str>) -> Markup {
    let other = match lang {
        Lang::Zh => Lang::En,
        Lang::En => Lang::Zh,
    };
    public_page(
        lang,
        Staff::LogIn.text(lang),
        html! {
            @if let Some(m) = message { p.alert role="alert" { (m) } }
            form method="post" action="/login" {
                (csrf(csrf_token))
                // Keeps a language chosen with `?lang=` for the answer to this post.
                input type="hidden" name="lang" value=(lang.code());
                (field("username", Staff::Username.text(lang), "text", username, &FieldErrors::new()))
                div.field {
                    label for="password" { (Staff::Password.text(lang)) }
                    input type="password" id="password" name="password" autocomplete="current-password";
                }
                button type="submit" { (Staff::LogIn.text(lang)) }
            }
            p { a href={ "/login?lang=" (other.code()) } lang=(other.code()) { (Staff::SwitchToOther.text(lang)) } }
        },
    )
}
