//! The page shell every view sits in, with the inline stylesheet, and the error page.

use axum::http::StatusCode;
use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::i18n::staff::{ErrorTitle, Staff};
use crate::i18n::{Lang, Msg};

/// Kept small and inline so a form page arrives in one round trip.
/// Colours meet WCAG AA on white: #1a1a1a text, #0b5394 buttons (7.6:1), #b00020 errors (7:1).
const CSS: &str = "\
*{box-sizing:border-box}\
body{margin:0;font:17px/1.5 system-ui,-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;color:#1a1a1a;background:#f4f5f7}\
main{max-width:40rem;margin:0 auto;padding:1rem;background:#fff;min-height:100vh}\
h1{font-size:1.35rem;margin:.25rem 0 .75rem}\
h2{font-size:1.15rem;margin:1rem 0 .5rem}\
a{color:#0b5394}\
:focus-visible{outline:3px solid #f2a900;outline-offset:2px}\
.top{display:flex;justify-content:space-between;align-items:center;gap:.5rem;font-size:.9rem;color:#444}\
.q{margin:0 0 1.25rem;padding:0;border:0;min-width:0}\
.q>legend,.q>label{display:block;font-weight:600;margin-bottom:.35rem;padding:0}\
.hint,.req{font-weight:400;color:#555;font-size:.9rem}\
.opt{display:flex;align-items:center;gap:.6rem;min-height:44px;padding:.35rem .6rem;margin:.25rem 0;border:1px solid #c4c7cc;border-radius:8px}\
.opt input{width:1.3rem;height:1.3rem;margin:0;flex:none}\
.scale{display:grid;grid-template-columns:repeat(auto-fill,minmax(44px,1fr));gap:.35rem}\
.scale .opt{justify-content:center;flex-direction:column;gap:0;padding:.3rem 0;margin:0}\
.ends{display:flex;justify-content:space-between;font-size:.85rem;color:#555;margin-top:.25rem}\
input[type=text],input[type=number],input[type=date],textarea{width:100%;min-height:44px;padding:.5rem;font:inherit;border:1px solid #767676;border-radius:6px}\
textarea{min-height:6rem}\
.err{color:#b00020;font-weight:600;margin:.25rem 0}\
[aria-invalid=true],.bad .opt{border-color:#b00020}\
.summary{border:2px solid #b00020;border-radius:8px;padding:.5rem .75rem;margin-bottom:1rem}\
.nav{display:flex;flex-direction:row-reverse;gap:.75rem;margin-top:1.5rem}\
button{min-height:48px;padding:.5rem 1.25rem;font:inherit;font-weight:600;border-radius:8px;border:2px solid #0b5394;background:#0b5394;color:#fff;cursor:pointer}\
button.sec{background:#fff;color:#0b5394}\
button.link{border:0;background:none;color:#0b5394;text-decoration:underline;padding:0 .25rem;min-height:44px}\
progress{width:100%;height:.5rem}\
";

/// Wraps a page's markup in the document shell.
pub fn layout(lang: Lang, title: &str, body: Markup) -> Markup {
    layout_with(lang, title, "", body)
}

/// The shell with extra CSS (our own constants only) after the base rules.
pub fn layout_with(lang: Lang, title: &str, extra_css: &'static str, body: Markup) -> Markup {
    let html_lang = match lang {
        Lang::Zh => "zh-CN",
        Lang::En => "en",
    };
    html! {
        (DOCTYPE)
        html lang=(html_lang) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width,initial-scale=1";
                title { (title) }
                // Our own constant stylesheet, never user text: safe to inline unescaped.
                style { (PreEscaped(CSS)) (PreEscaped(extra_css)) }
            }
            body { main { (body) } }
        }
    }
}

/// A friendly error page in the reader's language, with a way back. Drawn first in Chinese,
/// then again by `web::lang` once the request's language is known.
pub fn error_page(status: StatusCode, message: &Msg, lang: Lang) -> Markup {
    let title = ErrorTitle::for_status(status.as_u16()).text(lang);
    layout(
        lang,
        title,
        html! {
            h1 { (title) }
            p { (message.get(lang)) }
            p { a href="/" { (Staff::BackHome.text(lang)) } }
            p.hint { "HTTP " (status.as_u16()) }
        },
    )
}

/// The error page in both languages, for answers given before the reader's language is
/// known (a stalled body, a panic).
pub fn error_page_both(status: StatusCode, message: &Msg) -> Markup {
    let kind = ErrorTitle::for_status(status.as_u16());
    let title = format!("{} · {}", kind.text(Lang::Zh), kind.text(Lang::En));
    layout(
        Lang::Zh,
        &title,
        html! {
            h1 { (title) }
            p { (message.get(Lang::Zh)) }
            @if message.get(Lang::Zh) != message.get(Lang::En) {
                p lang="en" { (message.get(Lang::En)) }
            }
            p { a href="/" { (Staff::BackHome.text(Lang::Zh)) " · " (Staff::BackHome.text(Lang::En)) } }
            p.hint { "HTTP " (status.as_u16()) }
        },
    )
}
