-- PostgreSQL twin of migrations/sqlite/0007_session_epoch.sql.

-- A counter stored in each session at login. Changing an account's password, role or
-- status bumps it in the same UPDATE, so every session holding the old value is refused
-- at its next request: an admin's reset, or a disable, ends the user's sessions at once,
-- and enabling the account again revives none of them.
alter table "user" add column session_epoch bigint not null default 0;
