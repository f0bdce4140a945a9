//! The survey file as written: serde structs mirroring the TOML, with spans for error positions.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSurvey {
    pub settings: RawSettings,
    #[serde(default)]
    pub choices: BTreeMap<String, Spanned<Vec<RawChoice>>>,
    #[serde(default, rename = "group")]
    pub groups: Vec<Spanned<RawGroup>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSettings {
    pub id: Spanned<String>,
    pub title: Spanned<RawText>,
    pub description: Option<Spanned<RawText>>,
    pub version: Spanned<String>,
    pub default_language: Spanned<String>,
    pub languages: Spanned<Vec<String>>,
    /// "survey" (default) or "audit" for a mystery-shopping checklist.
    pub kind: Option<Spanned<String>>,
    /// "required" or "optional": the form asks for the code on the till slip.
    pub receipt: Option<Spanned<String>>,
}

/// A plain string (allowed in single-language surveys) or one entry per language.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawText {
    Plain(String),
    PerLanguage(BTreeMap<String, String>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawChoice {
    pub name: Spanned<String>,
    pub label: Spanned<RawText>,
    pub points: Option<Spanned<toml::Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGroup {
    pub name: Spanned<String>,
    pub label: Spanned<RawText>,
    pub relevant: Option<Spanned<String>>,
    pub weight: Option<Spanned<toml::Value>>,
    #[serde(default, rename = "question")]
    pub questions: Vec<Spanned<RawQuestion>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawQuestion {
    #[serde(rename = "type")]
    pub kind: Spanned<String>,
    pub name: Spanned<String>,
    pub label: Option<Spanned<RawText>>,
    pub hint: Option<Spanned<RawText>>,
    pub required: Option<bool>,
    pub required_message: Option<Spanned<RawText>>,
    pub relevant: Option<Spanned<String>>,
    pub constraint: Option<Spanned<String>>,
    pub constraint_message: Option<Spanned<RawText>>,
    pub appearance: Option<Spanned<String>>,
    pub default: Option<Spanned<toml::Value>>,
    pub min: Option<Spanned<toml::Value>>,
    pub max: Option<Spanned<toml::Value>>,
    pub indicator: Option<Spanned<String>>,
    pub aspect: Option<Spanned<String>>,
    // Audit checklists only: see the README, "Scoring".
    pub points: Option<Spanned<toml::Value>>,
    pub bonus: Option<Spanned<bool>>,
    pub critical: Option<Spanned<String>>,
    pub pass: Option<Spanned<String>>,
    pub comment_on_fail: Option<Spanned<bool>>,
    pub allow_na: Option<Spanned<bool>>,
}
