-- PostgreSQL twin of migrations/sqlite/0010_api_token_scopes.sql. PostgreSQL drops NOT
-- NULL in place, so there is no rebuild (and no deferred foreign keys for one); the new
-- columns come last, where the rebuilt SQLite table has them before `created_by`, so
-- name columns in queries rather than rely on their order.

-- Integration tokens get a scope (what they may send), an optional store (a kiosk or a
-- till's tablet may only submit for its own store) and a trust flag (a POS or CRM that
-- vouches for its respondents). `manyi token add` creates tokens without a logged-in
-- user, so `created_by` becomes nullable.
-- Existing tokens keep working for what they did before: scope 'sales', any store.

alter table api_token
    add column scope text not null default 'sales' check (scope in ('submit', 'sales')),
    -- Null: any store.
    add column store text references store (code) on update cascade,
    add column trusted boolean not null default false,
    -- Null: created on the command line.
    alter column created_by drop not null;
