//! Fuzz target: the form-body decoder on any posted bytes: `manyi::web::decode_body` (the
//! urlencoded pairs split into the survey's answers, as the form's `submit` does) and then
//! `manyi::answers::check` of those answers against each shipped customer survey.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use manyi::answers::{self, Scope};
use manyi::i18n::Lang;
use manyi::survey::{Survey, parse_survey};

static SURVEYS: LazyLock<Vec<Survey>> = LazyLock::new(|| {
    [
        (
            "post-purchase.toml",
            include_str!("../../surveys/post-purchase.toml"),
        ),
        (
            "after-service.toml",
            include_str!("../../surveys/after-service.toml"),
        ),
    ]
    .into_iter()
    .map(|(file, text)| parse_survey(file, text).expect("the shipped surveys load"))
    .collect()
});

fuzz_target!(|data: &[u8]| {
    for survey in SURVEYS.iter() {
        // A body that is not form data (bad UTF-8) is refused with an error, never a panic.
        let Ok((page, raw)) = manyi::web::decode_body(survey, data) else {
            continue;
        };
        assert!(page < survey.groups.len());
        assert!(raw.keys().all(|name| survey.question(name).is_some()));
        for (scope, lang) in [(Scope::Group(page), Lang::Zh), (Scope::All, Lang::En)] {
            let checked = answers::check(survey, &raw, scope, lang);
            // Only relevant questions are answered, and only questions get messages.
            assert!(
                checked
                    .answers
                    .iter()
                    .all(|(n, _)| checked.relevant.contains(n))
            );
            assert!(checked.errors.keys().all(|n| survey.question(n).is_some()));
            for (_, answer) in &checked.answers {
                let _ = answer.to_json();
                let _ = answer.form_values();
            }
        }
    }
});
