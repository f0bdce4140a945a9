//! The surveys folder: loads every `.toml` file, checks ids are unique, and indexes surveys by id.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use super::{LoadError, Survey, parse_survey};

/// Every loaded survey, by form id. Cheap to clone: the surveys are shared.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    surveys: BTreeMap<String, Arc<Survey>>,
}

impl Catalog {
    pub fn from_surveys(surveys: impl IntoIterator<Item = Survey>) -> Catalog {
        Catalog {
            surveys: surveys
                .into_iter()
                .map(|s| (s.id.clone(), Arc::new(s)))
                .collect(),
        }
    }

    pub fn get(&self, id: &str) -> Option<&Arc<Survey>> {
        self.surveys.get(id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Arc<Survey>> {
        self.surveys.values()
    }

    pub fn len(&self) -> usize {
        self.surveys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.surveys.is_empty()
    }
}

/// Loads every `*.toml` in `dir` (sorted by name), returning all problems found
/// across all files rather than stopping at the first.
pub fn load_dir(dir: &Path) -> Result<Catalog, Vec<LoadError>> {
    let unplaced = |file: &Path, message: String| LoadError {
        file: file.display().to_string(),
        line: None,
        column: None,
        field: String::new(),
        message,
    };
    let entries = std::fs::read_dir(dir).map_err(|e| {
        vec![unplaced(
            dir,
            format!("cannot read the surveys folder: {e}"),
        )]
    })?;
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(vec![unplaced(
            dir,
            "no survey files (*.toml) in this folder".into(),
        )]);
    }
    let mut errors = Vec::new();
    let mut by_id: BTreeMap<String, (String, Survey)> = BTreeMap::new();
    for path in paths {
        let file = path.display().to_string();
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                errors.push(unplaced(&path, format!("cannot read the file: {e}")));
                continue;
            }
        };
        let source = match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                errors.push(unplaced(&path, format!("the file is not valid UTF-8 (first bad byte at offset {at}); save it as UTF-8")));
                continue;
            }
        };
        match parse_survey(&file, &source) {
            Ok(survey) => {
                if let Some((other, _)) = by_id.get(&survey.id) {
                    errors.push(unplaced(
                        &path,
                        format!(
                            "settings.id '{}' is already used by {other}; form ids must be unique",
                            survey.id
                        ),
                    ));
                } else {
                    by_id.insert(survey.id.clone(), (file, survey));
                }
            }
            Err(mut errs) => errors.append(&mut errs),
        }
    }
    if errors.is_empty() {
        Ok(Catalog::from_surveys(by_id.into_values().map(|(_, s)| s)))
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, bytes: &[u8]) {
        std::fs::write(dir.join(name), bytes).unwrap();
    }

    fn shipped(name: &str) -> Vec<u8> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("surveys")
            .join(name);
        std::fs::read(path).unwrap()
    }

    #[test]
    fn a_file_that_is_not_utf8_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "bad.toml", b"[settings]\nid = \"\xff\"\n");
        let errs = load_dir(dir.path()).unwrap_err();
        assert!(errs[0].file.ends_with("bad.toml"));
        assert!(errs[0].message.contains("not valid UTF-8"));
    }

    #[test]
    fn two_files_with_the_same_form_id_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.toml", &shipped("after-service.toml"));
        write(dir.path(), "b.toml", &shipped("after-service.toml"));
        let errs = load_dir(dir.path()).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert!(errs[0].message.contains("already used by"), "{}", errs[0]);
    }

    #[test]
    fn an_empty_or_missing_folder_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            load_dir(dir.path()).unwrap_err()[0]
                .message
                .contains("no survey files")
        );
        assert!(load_dir(&dir.path().join("nope")).is_err());
    }

    #[test]
    fn files_other_than_toml_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.toml", &shipped("after-service.toml"));
        write(dir.path(), "README.md", b"# not a survey");
        assert_eq!(load_dir(dir.path()).unwrap().len(), 1);
    }
}
