-- PostgreSQL twin of migrations/sqlite/0014_complaint_denominator.sql.

-- The complaint rate per 100 responses counts only responses to forms that have a
-- complaint question (asked, or skipped for a happy customer): a form without one (the
-- complaint-and-suggestion form) must not dilute it. Every form shipped before this one
-- has a complaint question, so every counted response so far is in the base.
alter table daily_stat add column complaint_n bigint not null default 0;
alter table monthly_stat add column complaint_n bigint not null default 0;
update daily_stat set complaint_n = responses;
update monthly_stat set complaint_n = responses;

-- A mystery-shop finding's case names the audit it came from; one case per audit.
alter table complaint_case add column audit_id bigint references audit (id);
create unique index complaint_case_audit on complaint_case (audit_id) where audit_id is not null;
