-- Survey responses in a narrow shape: one row per response, one row per answer value,
-- so any survey fits without schema changes and reports can index by question.

-- Every definition a response was given against, kept verbatim. Editing or removing
-- a survey file never changes what a stored response means or how it exports.
create table form_version (
    hash        text primary key,          -- SHA-256 of the definition file
    form_id     text not null,
    version     text not null,
    questions   text not null,             -- JSON array of answerable question names, form order
    source      text not null,
    first_seen  text not null              -- RFC 3339, UTC
);
create index form_version_by_form on form_version (form_id, first_seen);

create table response (
    id              integer primary key,
    form_id         text not null,
    version         text not null,
    definition_hash text not null references form_version (hash),
    store           text,
    lang            text not null,
    submitted_at    text not null,         -- RFC 3339, UTC, millisecond precision
    -- Random token from the form page (or Idempotency-Key): a double submit
    -- finds the first response instead of storing a second one.
    submission_key  text unique
);
create index response_by_form_time on response (form_id, submitted_at);
create index response_by_store_time on response (store, submitted_at);

create table answer (
    response_id integer not null references response (id) on delete cascade,
    question    text not null,
    position    integer not null default 0, -- a multiple choice stores one row per option
    value       text not null,             -- the answer as text (choice name, number, date, text)
    num         real,                      -- the numeric value, when there is one
    primary key (response_id, question, position)
) without rowid;
create index answer_by_question on answer (question, value);
