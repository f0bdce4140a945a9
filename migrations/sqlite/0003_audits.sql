-- Mystery-shopping audits. One row per assignment: the assignment itself, the shopper's
-- draft while it is being filled, and the checked, scored audit once submitted.

create table audit (
    id               integer primary key,
    shopper_id       integer not null references user (id),
    store_code       text not null references store (code) on update cascade,
    checklist_id     text not null,
    window_from      text not null,            -- YYYY-MM-DD, first day the visit may happen
    window_to        text not null,            -- YYYY-MM-DD, last day
    scenario         text,
    status           text not null default 'assigned' check (status in
                     ('assigned', 'in_progress', 'submitted', 'approved', 'rejected', 'revision_requested')),
    excluded         integer not null default 0, -- approved but left out of reports
    exclusion_reason text,
    -- The draft, saved on every page: {"answers": {name: [values]}, "comments": {name: text}, "page": n}
    draft            text not null default '{}',
    visit_date       text,                     -- YYYY-MM-DD
    time_in          text,                     -- HH:MM
    time_out         text,                     -- HH:MM
    definition_hash  text references form_version (hash),
    score            real,                     -- exact overall percentage; null when all N/A
    critical_fail    integer not null default 0,
    flags            text not null default '[]', -- JSON array of notes for the reviewer
    created_by       integer not null references user (id),
    created_at       text not null,
    submitted_at     text
);
create index audit_by_shopper on audit (shopper_id, status);
create index audit_by_store on audit (store_code, status, visit_date);

-- The submitted answers, narrow like customer answers.
create table audit_answer (
    audit_id  integer not null references audit (id) on delete cascade,
    question  text not null,
    position  integer not null default 0,
    value     text not null,
    num       real,
    primary key (audit_id, question, position)
) without rowid;

create table audit_comment (
    audit_id  integer not null references audit (id) on delete cascade,
    question  text not null,
    comment   text not null,
    primary key (audit_id, question)
) without rowid;

create table audit_section_score (
    audit_id      integer not null references audit (id) on delete cascade,
    section       text not null,
    earned        real not null,
    possible      real not null,
    percent       real,                        -- null when the section is N/A
    critical_fail integer not null default 0,
    primary key (audit_id, section)
) without rowid;

-- Every state change: who, when, why.
create table audit_event (
    id          integer primary key,
    audit_id    integer not null references audit (id) on delete cascade,
    actor_id    integer not null references user (id),
    action      text not null,                 -- assigned, saved, submitted, approved, rejected, ...
    from_status text,
    to_status   text not null,
    reason      text,
    at          text not null
);
create index audit_event_by_audit on audit_event (audit_id, id);

-- Photo or receipt evidence. Only images are accepted; the type is detected from the bytes.
create table evidence (
    id           integer primary key,
    audit_id     integer not null references audit (id) on delete cascade,
    section      text not null,                -- a group name, or 'visit' for the receipt
    content_type text not null,
    size         integer not null,
    bytes        blob not null,
    uploaded_at  text not null
);
create index evidence_by_audit on evidence (audit_id);
