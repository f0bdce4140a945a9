//! The complaint-cause taxonomy: the categories step 4 chooses from, read from a text file (`surveys/cases/categories.toml`).

use std::path::Path;

use serde::Deserialize;

use crate::i18n::Lang;

/// One cause category: the stored name and its label in each language.
#[derive(Debug, Clone, PartialEq)]
pub struct Category {
    pub name: String,
    pub zh: String,
    pub en: String,
}

impl Category {
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// The categories in the file's order (the order step 4 lists them in).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Taxonomy {
    pub categories: Vec<Category>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    category: Vec<RawCategory>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    name: String,
    label: RawLabel,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLabel {
    zh: String,
    en: String,
}

impl Taxonomy {
    /// Parses the file's text; `file` names it in error messages.
    pub fn parse(file: &str, source: &str) -> Result<Taxonomy, String> {
        let raw: RawFile = toml::from_str(source).map_err(|e| {
            let place = e
                .span()
                .map(|s| {
                    let line = source[..s.start.min(source.len())].matches('\n').count() + 1;
                    format!(":{line}")
                })
                .unwrap_or_default();
            format!("{file}{place}: {}", e.message())
        })?;
        let mut categories: Vec<Category> = Vec::with_capacity(raw.category.len());
        for c in raw.category {
            let ok_name = !c.name.is_empty()
                && c.name.len() <= 40
                && c.name
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_');
            if !ok_name {
                return Err(format!(
                    "{file}: category name '{}' must be 1–40 characters of a–z, 0–9 and _",
                    c.name
                ));
            }
            if categories.iter().any(|k| k.name == c.name) {
                return Err(format!("{file}: category '{}' is listed twice", c.name));
            }
            if c.label.zh.trim().is_empty() || c.label.en.trim().is_empty() {
                return Err(format!(
                    "{file}: category '{}' needs a label in zh and en",
                    c.name
                ));
            }
            categories.push(Category {
                name: c.name,
                zh: c.label.zh,
                en: c.label.en,
            });
        }
        if categories.is_empty() {
            return Err(format!("{file}: no categories"));
        }
        Ok(Taxonomy { categories })
    }

    /// Reads and parses the file.
    pub fn load(path: &Path) -> Result<Taxonomy, String> {
        let source = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read the case categories: {e}", path.display()))?;
        Taxonomy::parse(&path.display().to_string(), &source)
    }

    /// The shipped file, compiled in: tests and a server whose surveys folder has none.
    pub fn shipped() -> Taxonomy {
        Taxonomy::parse(
            "surveys/cases/categories.toml",
            include_str!("../../surveys/cases/categories.toml"),
        )
        .unwrap_or_default()
    }

    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub fn get(&self, name: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.name == name)
    }

    /// The label of a stored category; a name no longer in the file shows as itself.
    pub fn label<'a>(&'a self, name: &'a str, lang: Lang) -> &'a str {
        self.get(name).map_or(name, |c| c.label(lang))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_file_loads() {
        let t = Taxonomy::shipped();
        assert!(t.categories.len() >= 5);
        assert!(t.contains("delivery"));
        assert_eq!(t.label("delivery", Lang::Zh), "送货与安装");
        assert_eq!(t.label("gone", Lang::En), "gone");
    }

    #[test]
    fn bad_files_say_where_and_why() {
        let e = Taxonomy::parse("c.toml", "[[category]]\nname = 1\n").unwrap_err();
        assert!(e.starts_with("c.toml:2:"), "{e}");
        let twice = "[[category]]\nname='a'\nlabel={zh='甲',en='A'}\n\
                     [[category]]\nname='a'\nlabel={zh='甲',en='A'}\n";
        assert!(Taxonomy::parse("c", twice).unwrap_err().contains("twice"));
        let bad = "[[category]]\nname='Bad Name'\nlabel={zh='甲',en='A'}\n";
        assert!(Taxonomy::parse("c", bad).unwrap_err().contains("a–z"));
        let no_en = "[[category]]\nname='a'\nlabel={zh='甲',en=' '}\n";
        assert!(
            Taxonomy::parse("c", no_en)
                .unwrap_err()
                .contains("zh and en")
        );
    }
}
