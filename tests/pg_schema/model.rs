//! Each backend's schema read back from its catalogue into one comparable shape.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::postgres::PgConnection;
use sqlx::{Row, SqlitePool};

/// What the two schemas must agree on, per table. Column order is left out: PostgreSQL
/// adds columns at the end where SQLite's rebuilds (0010) put them in the middle.
#[derive(Debug, Default, PartialEq)]
pub struct Table {
    /// Column name → NOT NULL.
    pub columns: BTreeMap<String, bool>,
    pub primary_key: Vec<String>,
    /// Unique keys other than the primary key, by key (an expression key as its text:
    /// SQLite's `collate nocase` is written `lower(column)`) and whether it is partial.
    /// Names are left out: SQLite names inline constraints `sqlite_autoindex_…`.
    pub unique: BTreeSet<(Vec<String>, bool)>,
    /// Other indexes by name, with their key and whether they are partial.
    pub indexes: BTreeSet<(String, Vec<String>, bool)>,
    /// (column, referenced table, referenced column, on update, on delete).
    pub foreign_keys: BTreeSet<(String, String, String, String, String)>,
    /// Column → the terms of its CHECK (a vocabulary, or a bound such as `>= 0`): see [`terms`].
    pub checks: BTreeSet<(String, BTreeSet<String>)>,
}

pub type Schema = BTreeMap<String, Table>;

/// The migrator's own table, not the schema.
const MIGRATOR_TABLE: &str = "_sqlx_migrations";
/// The session store's table: `db::open` has tower-sessions-sqlx-store create it on
/// SQLite; its PostgreSQL store brings its own schema when sessions move there.
const SESSION_TABLE: &str = "tower_sessions";

pub async fn sqlite(pool: &SqlitePool) -> anyhow::Result<Schema> {
    let mut schema = Schema::new();
    let tables: Vec<(String, String)> = sqlx::query_as(
        "select name, sql from sqlite_schema
         where type = 'table' and name not like 'sqlite_%' and name not in (?, ?)",
    )
    .bind(MIGRATOR_TABLE)
    .bind(SESSION_TABLE)
    .fetch_all(pool)
    .await?;
    for (name, sql) in tables {
        let mut t = Table::default();
        let cols: Vec<(String, bool, i64)> =
            sqlx::query_as(r#"select name, "notnull", pk from pragma_table_info(?) order by cid"#)
                .bind(&name)
                .fetch_all(pool)
                .await?;
        let mut key: Vec<(i64, String)> = Vec::new();
        for (col, not_null, pk) in cols {
            // A key column is NOT NULL in PostgreSQL. In SQLite a rowid alias cannot be
            // null, and a text key of a rowid table could be (an old SQLite quirk) but
            // the code never stores one.
            t.columns.insert(col.clone(), not_null || pk > 0);
            if pk > 0 {
                key.push((pk, col));
            }
        }
        key.sort();
        t.primary_key = key.into_iter().map(|(_, c)| c).collect();
        let indexes: Vec<(String, bool, String, bool)> =
            sqlx::query_as(r#"select name, "unique", origin, partial from pragma_index_list(?)"#)
                .bind(&name)
                .fetch_all(pool)
                .await?;
        for (index, unique, origin, partial) in indexes {
            if origin == "pk" {
                continue;
            }
            let parts: Vec<(Option<String>, String)> = sqlx::query_as(
                "select name, coll from pragma_index_xinfo(?) where key = 1 order by seqno",
            )
            .bind(&index)
            .fetch_all(pool)
            .await?;
            let columns = parts
                .into_iter()
                .map(|(col, coll)| {
                    let col = col.unwrap_or_else(|| "<expression>".into());
                    if coll.eq_ignore_ascii_case("nocase") {
                        format!("lower({col})")
                    } else {
                        col
                    }
                })
                .collect();
            if unique {
                t.unique.insert((columns, partial));
            } else {
                t.indexes.insert((index, columns, partial));
            }
        }
        let fks: Vec<(String, String, String, String, String)> = sqlx::query_as(
            r#"select "from", "table", "to", on_update, on_delete from pragma_foreign_key_list(?)"#,
        )
        .bind(&name)
        .fetch_all(pool)
        .await?;
        t.foreign_keys = fks.into_iter().collect();
        t.checks = sqlite_checks(&sql);
        schema.insert(name, t);
    }
    Ok(schema)
}

pub async fn postgres(conn: &mut PgConnection) -> anyhow::Result<Schema> {
    let mut schema = Schema::new();
    let public = "c.relnamespace = 'public'::regnamespace and c.relkind = 'r' and c.relname <> $1";
    let cols = sqlx::query(&format!(
        "select c.relname, a.attname, a.attnotnull from pg_attribute a
         join pg_class c on c.oid = a.attrelid
         where {public} and a.attnum > 0 and not a.attisdropped"
    ))
    .bind(MIGRATOR_TABLE)
    .fetch_all(&mut *conn)
    .await?;
    for row in cols {
        let table: String = row.get(0);
        let entry = schema.entry(table).or_default();
        entry.columns.insert(row.get(1), row.get(2));
    }
    let indexes = sqlx::query(&format!(
        "select c.relname, i.relname, x.indisunique, x.indisprimary, x.indpred is not null,
             array(select pg_get_indexdef(x.indexrelid, k, true)
                   from generate_series(1, x.indnkeyatts::int) k order by k)
         from pg_index x
         join pg_class c on c.oid = x.indrelid
         join pg_class i on i.oid = x.indexrelid
         where {public}"
    ))
    .bind(MIGRATOR_TABLE)
    .fetch_all(&mut *conn)
    .await?;
    for row in indexes {
        let t = schema.entry(row.get(0)).or_default();
        let (name, unique, primary, partial): (String, bool, bool, bool) =
            (row.get(1), row.get(2), row.get(3), row.get(4));
        // pg_get_indexdef quotes a column named by a keyword ("position").
        let columns: Vec<String> = row
            .get::<Vec<String>, _>(5)
            .into_iter()
            .map(unquote)
            .collect();
        if primary {
            t.primary_key = columns;
        } else if unique {
            t.unique.insert((columns, partial));
        } else {
            t.indexes.insert((name, columns, partial));
        }
    }
    let fks = sqlx::query(&format!(
        "select c.relname, a.attname, cf.relname, af.attname,
             con.confupdtype::text, con.confdeltype::text
         from pg_constraint con
         join pg_class c on c.oid = con.conrelid
         join pg_class cf on cf.oid = con.confrelid
         cross join lateral unnest(con.conkey, con.confkey) as k(from_num, to_num)
         join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.from_num
         join pg_attribute af on af.attrelid = con.confrelid and af.attnum = k.to_num
         where con.contype = 'f' and {public}"
    ))
    .bind(MIGRATOR_TABLE)
    .fetch_all(&mut *conn)
    .await?;
    for row in fks {
        let t = schema.entry(row.get(0)).or_default();
        let action = |code: String| match code.as_str() {
            "c" => "CASCADE",
            "n" => "SET NULL",
            "d" => "SET DEFAULT",
            "r" => "RESTRICT",
            _ => "NO ACTION",
        };
        t.foreign_keys.insert((
            row.get(1),
            row.get(2),
            row.get(3),
            action(row.get(4)).into(),
            action(row.get(5)).into(),
        ));
    }
    let checks = sqlx::query(&format!(
        "select c.relname, a.attname, pg_get_constraintdef(con.oid)
         from pg_constraint con
         join pg_class c on c.oid = con.conrelid
         cross join lateral unnest(con.conkey) as k(num)
         join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.num
         where con.contype = 'c' and {public}"
    ))
    .bind(MIGRATOR_TABLE)
    .fetch_all(&mut *conn)
    .await?;
    for row in checks {
        let t = schema.entry(row.get(0)).or_default();
        let def: String = row.get(2);
        t.checks.insert((row.get(1), terms(&def)));
    }
    Ok(schema)
}

fn unquote(name: String) -> String {
    match name.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
        Some(bare) if !bare.contains('"') => bare.to_string(),
        _ => name,
    }
}

/// Every difference between the two schemas, one line each; empty when they agree.
pub fn differences(sqlite: &Schema, postgres: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    let names: BTreeSet<&String> = sqlite.keys().chain(postgres.keys()).collect();
    for name in names {
        let (Some(s), Some(p)) = (sqlite.get(name), postgres.get(name)) else {
            let only = if sqlite.contains_key(name) {
                "SQLite"
            } else {
                "PostgreSQL"
            };
            out.push(format!("table {name}: only on {only}"));
            continue;
        };
        let d = |x: &dyn std::fmt::Debug| format!("{x:?}");
        let fields = [
            ("columns (name → NOT NULL)", d(&s.columns), d(&p.columns)),
            ("primary key", d(&s.primary_key), d(&p.primary_key)),
            ("unique keys", d(&s.unique), d(&p.unique)),
            ("indexes", d(&s.indexes), d(&p.indexes)),
            ("foreign keys", d(&s.foreign_keys), d(&p.foreign_keys)),
            ("checks", d(&s.checks), d(&p.checks)),
        ];
        for (what, s, p) in fields.into_iter().filter(|(_, s, p)| s != p) {
            out.push(format!(
                "table {name}, {what}:\n  SQLite:     {s}\n  PostgreSQL: {p}"
            ));
        }
    }
    out
}

/// The CHECKs in SQLite's stored `create table` text (which ALTER TABLE ADD COLUMN
/// extends), by the column whose definition holds them.
fn sqlite_checks(sql: &str) -> BTreeSet<(String, BTreeSet<String>)> {
    let sql: String = sql
        .lines()
        .map(strip_comment)
        .collect::<Vec<_>>()
        .join("\n");
    let Some(open) = sql.find('(') else {
        return BTreeSet::new();
    };
    let mut out = BTreeSet::new();
    for part in split_top_level(&sql[open + 1..]) {
        let part = part.trim();
        let first = part
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_matches('"');
        let lower = part.to_ascii_lowercase();
        let Some(at) = find_word(&lower, "check") else {
            continue;
        };
        let column = match first.to_ascii_lowercase().as_str() {
            "check" | "constraint" => String::new(),
            _ => first.to_string(),
        };
        let vocabulary = terms(parenthesized(&part[at..]));
        // `x in (0, 1)` is a flag, which PostgreSQL holds as `boolean` without a check.
        if vocabulary == BTreeSet::from(["0".into(), "1".into(), "in".into()]) {
            continue;
        }
        out.insert((column, vocabulary));
    }
    out
}

/// The line without its `--` comment (a `--` inside a quoted literal stays).
fn strip_comment(line: &str) -> &str {
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '-' if !quoted && line[i..].starts_with("--") => return &line[..i],
            _ => {}
        }
    }
    line
}

/// The definitions in a `create table` body: split at commas outside parentheses and
/// quotes, up to the body's closing parenthesis.
fn split_top_level(body: &str) -> Vec<&str> {
    let (mut depth, mut quoted, mut start) = (0usize, false, 0usize);
    let mut parts = Vec::new();
    for (i, c) in body.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            _ if quoted => {}
            '(' => depth += 1,
            ')' if depth == 0 => {
                parts.push(&body[start..i]);
                return parts;
            }
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&body[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&body[start..]);
    parts
}

/// The first parenthesized group in `text`, parentheses included: a CHECK's expression
/// without what follows it in the column's definition.
fn parenthesized(text: &str) -> &str {
    let Some(open) = text.find('(') else {
        return "";
    };
    let (mut depth, mut quoted) = (0usize, false);
    for (i, c) in text[open..].char_indices() {
        match c {
            '\'' => quoted = !quoted,
            _ if quoted => {}
            '(' => depth += 1,
            ')' if depth == 1 => return &text[open..open + i + 1],
            ')' => depth -= 1,
            _ => {}
        }
    }
    &text[open..]
}

fn find_word(haystack: &str, word: &str) -> Option<usize> {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    haystack.match_indices(word).map(|(i, _)| i).find(|&i| {
        let before = haystack[..i].chars().next_back().is_none_or(|c| !ident(c));
        let after = haystack[i + word.len()..]
            .chars()
            .next()
            .is_none_or(|c| !ident(c));
        before && after
    })
}

/// The terms of a CHECK that say what it allows, whichever dialect printed it: its
/// quoted strings, bare integers and comparisons, with `in (…)` and PostgreSQL's
/// `= ANY (ARRAY[…])` both read as `in`. So `role in ('a', 'b')` and `role = ANY
/// (ARRAY['a'::text, 'b'::text])` agree, and `>= 0` differs from `> 0`.
pub fn terms(expr: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let chars: Vec<char> = expr.chars().collect();
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let rest = |i: usize| chars[i..].iter().collect::<String>().to_ascii_lowercase();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let starts_word = i == 0 || !ident(chars[i - 1]);
        if c == '\'' {
            let end = chars[i + 1..]
                .iter()
                .position(|&c| c == '\'')
                .map_or(chars.len(), |p| i + 1 + p);
            out.insert(chars[i + 1..end].iter().collect());
            i = end + 1;
        } else if c.is_ascii_digit() && starts_word {
            let end = chars[i..]
                .iter()
                .position(|&c| !c.is_ascii_digit())
                .map_or(chars.len(), |p| i + p);
            if chars.get(end).is_none_or(|&c| !ident(c)) {
                out.insert(chars[i..end].iter().collect());
            }
            i = end;
        } else if c == '=' && rest(i + 1).trim_start().starts_with("any") {
            out.insert("in".into());
            i += 1;
        } else if "<>=!".contains(c) {
            let two = chars.get(i + 1).is_some_and(|&n| "<>=".contains(n));
            let op: String = chars[i..if two { i + 2 } else { i + 1 }].iter().collect();
            out.insert(if op == "!=" { "<>".into() } else { op });
            i += if two { 2 } else { 1 };
        } else if starts_word
            && rest(i).starts_with("in")
            && chars.get(i + 2).is_none_or(|&c| !ident(c))
        {
            out.insert("in".into());
            i += 2;
        } else {
            i += 1;
        }
    }
    out
}
