-- Integration tokens get a scope (what they may send), an optional store (a kiosk or a
-- till's tablet may only submit for its own store) and a trust flag (a POS or CRM that
-- vouches for its respondents). `manyi token add` creates tokens without a logged-in
-- user, so `created_by` becomes nullable. SQLite cannot drop NOT NULL from a column,
-- so the table is rebuilt as https://sqlite.org/lang_altertable.html#otheralter shows.
-- Existing tokens keep working for what they did before: scope 'sales', any store.

-- A table that references api_token (as a response's source might) points at the new
-- one once it is renamed; checking its keys waits until the commit, by when it does.
pragma defer_foreign_keys = on;

create table api_token_new (
    id          integer primary key,
    name        text not null,
    token_hash  text not null unique,
    scope       text not null default 'sales' check (scope in ('submit', 'sales')),
    -- Null: any store.
    store       text references store (code) on update cascade,
    trusted     integer not null default 0 check (trusted in (0, 1)),
    -- Null: created on the command line.
    created_by  integer references user (id),
    created_at  text not null,
    revoked     integer not null default 0
);

insert into api_token_new (id, name, token_hash, scope, created_by, created_at, revoked)
select id, name, token_hash, 'sales', created_by, created_at, revoked from api_token;

drop table api_token;

alter table api_token_new rename to api_token;
