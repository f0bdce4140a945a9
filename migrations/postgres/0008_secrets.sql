-- PostgreSQL twin of migrations/sqlite/0008_secrets.sql.

-- Server keys, created at random on first use and kept here so a restart keeps them
-- (a login form served before a restart still posts after it). Never logged or exported.
create table secret (
    name       text primary key,
    value      bytea not null,
    created_at text not null
);
