//! SQL fragments whose text differs between SQLite and PostgreSQL: a week's first day, membership in a bound JSON list, and substring search.

use super::Backend;

/// The backend a driver's type stands for, for code generic over the driver (query
/// builders filled by one function for both).
pub trait Dialect: sqlx::Database {
    const BACKEND: Backend;
}

impl Dialect for sqlx::Sqlite {
    const BACKEND: Backend = Backend::Sqlite;
}

impl Dialect for sqlx::Postgres {
    const BACKEND: Backend = Backend::Postgres;
}

/// Appends ` and {column} in (…the JSON array of strings `list`…)` to a query being built.
pub fn push_in_json_list<'a, DB>(q: &mut sqlx::QueryBuilder<'a, DB>, column: &str, list: String)
where
    DB: Dialect,
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    match DB::BACKEND {
        Backend::Sqlite => q
            .push(format!(" and {column} in (select value from json_each("))
            .push_bind(list)
            .push("))"),
        Backend::Postgres => q
            .push(format!(
                " and {column} in (select jsonb_array_elements_text(("
            ))
            .push_bind(list)
            .push(")::jsonb))"),
    };
}

/// The Monday on or before the day in `column` (text `YYYY-MM-DD`), as the same text.
pub fn week_start(backend: Backend, column: &str) -> String {
    match backend {
        Backend::Sqlite => format!("date({column}, '-6 days', 'weekday 1')"),
        Backend::Postgres => {
            format!("to_char(date_trunc('week', ({column})::date), 'YYYY-MM-DD')")
        }
    }
}

/// `column` is one of the strings in the JSON array bound at `param` (`$6`): one fixed
/// query text whatever the list's length. `[]` matches nothing.
pub fn in_json_list(backend: Backend, column: &str, param: &str) -> String {
    match backend {
        Backend::Sqlite => format!("{column} in (select value from json_each({param}))"),
        Backend::Postgres => {
            format!("{column} in (select jsonb_array_elements_text(({param})::jsonb))")
        }
    }
}

/// Whether `needle` occurs in `haystack`, with no wildcard characters to escape.
pub fn contains(backend: Backend, haystack: &str, needle: &str) -> String {
    match backend {
        Backend::Sqlite => format!("instr({haystack}, {needle}) > 0"),
        Backend::Postgres => format!("strpos({haystack}, {needle}) > 0"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_backend_gets_its_own_words() {
        assert_eq!(
            in_json_list(Backend::Sqlite, "d.store_code", "$6"),
            "d.store_code in (select value from json_each($6))"
        );
        assert!(in_json_list(Backend::Postgres, "c", "$1").contains("jsonb_array_elements_text"));
        assert!(week_start(Backend::Postgres, "d.day").starts_with("to_char(date_trunc('week'"));
        assert_eq!(contains(Backend::Sqlite, "a", "$2"), "instr(a, $2) > 0");
    }
}
