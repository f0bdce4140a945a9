//! Fuzz target: the survey loader (`manyi::survey::parse_survey`) on any text, then the
//! first check every form page makes with the loaded survey, which evaluates its expressions.
#![no_main]

use libfuzzer_sys::fuzz_target;
use manyi::answers::{self, RawAnswers, Scope};
use manyi::survey::parse_survey;

fuzz_target!(|data: &[u8]| {
    // Survey files are read as UTF-8 and refused before parsing otherwise.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse_survey("fuzz.toml", text) {
        Ok(survey) => {
            for lang in survey.languages.clone() {
                let checked = answers::check(&survey, &RawAnswers::new(), Scope::All, lang);
                assert_eq!(checked.relevant_groups.len(), survey.groups.len());
            }
        }
        Err(errors) => {
            // A refused file always says why.
            assert!(!errors.is_empty());
            for e in &errors {
                let _ = e.to_string();
            }
        }
    }
});
