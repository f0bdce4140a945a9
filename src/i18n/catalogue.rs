//! The `catalogue!` macro every text table in `i18n` is written with, and `Msg`, a message in both languages.

use std::borrow::Cow;
use std::fmt;

use super::Lang;

/// Declares an enum of messages, each written once in Chinese and once in English, so a key
/// without both cannot be written. `ALL` lists the keys for the catalogue tests.
///
/// ```ignore
/// catalogue! { pub enum Nav { Audits => "巡店", "Audits"; } }
/// ```
#[macro_export]
macro_rules! catalogue {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$kmeta:meta])* $key:ident => $zh:literal, $en:literal;)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name { $($(#[$kmeta])* $key,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$key,)*];

            pub fn text(self, lang: $crate::i18n::Lang) -> &'static str {
                match (self, lang) {
                    $(
                        ($name::$key, $crate::i18n::Lang::Zh) => $zh,
                        ($name::$key, $crate::i18n::Lang::En) => $en,
                    )*
                }
            }

            /// The text with `{n}` filled in.
            pub fn fill(self, lang: $crate::i18n::Lang, n: impl ::std::fmt::Display) -> String {
                self.text(lang).replace("{n}", &n.to_string())
            }

            /// Both languages, for an error whose reader's language is decided later.
            pub fn msg(self) -> $crate::i18n::Msg {
                $crate::i18n::Msg::both(self.text($crate::i18n::Lang::Zh), self.text($crate::i18n::Lang::En))
            }
        }

        impl $crate::i18n::Catalogued for $name {
            fn entries() -> Vec<(String, &'static str, &'static str)> {
                $name::ALL
                    .iter()
                    .map(|k| (format!("{}::{:?}", stringify!($name), k), k.text($crate::i18n::Lang::Zh), k.text($crate::i18n::Lang::En)))
                    .collect()
            }
        }
    };
}

/// Lets the catalogue test walk every table.
pub trait Catalogued {
    /// (key, zh, en) for every message.
    fn entries() -> Vec<(String, &'static str, &'static str)>;
}

/// A message in both languages. Errors carry one, and the page is rendered in the reader's
/// language once the request's language is known (`web::lang`). Text that exists in one
/// language only (a name, a parser's message) is the same in both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    zh: Cow<'static, str>,
    en: Cow<'static, str>,
}

impl Msg {
    pub fn both(zh: impl Into<Cow<'static, str>>, en: impl Into<Cow<'static, str>>) -> Msg {
        Msg {
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// English, for logs and for the JSON API, whose clients are programs.
impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

impl From<String> for Msg {
    fn from(s: String) -> Msg {
        Msg::both(s.clone(), s)
    }
}

impl From<&'static str> for Msg {
    fn from(s: &'static str) -> Msg {
        Msg::both(s, s)
    }
}
