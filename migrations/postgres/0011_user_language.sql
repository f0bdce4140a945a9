-- PostgreSQL twin of migrations/sqlite/0011_user_language.sql.

-- The language each account reads staff pages in, chosen from the nav bar. Null until the
-- user chooses: pages then follow the browser's Accept-Language.
alter table "user" add column lang text check (lang in ('zh', 'en'));
