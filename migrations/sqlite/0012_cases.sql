-- Complaint and suggestion cases (the 8-step flow, see README "Complaints"), and the
-- store-manager role, bound to the stores whose cases it handles.
--
-- Adding a role means rebuilding `user` (SQLite cannot change a check constraint).
-- `db::open` runs migrations with foreign keys off and checks them afterwards, as
-- SQLite's documented table rebuild requires.

create table user_new (
    id            integer primary key,
    username      text not null unique collate nocase,
    password_hash text not null,
    role          text not null check (role in ('admin', 'manager', 'store_manager', 'shopper')),
    disabled      integer not null default 0,
    created_at    text not null,
    session_epoch integer not null default 0,
    lang          text check (lang in ('zh', 'en'))
);
insert into user_new (id, username, password_hash, role, disabled, created_at, session_epoch, lang)
    select id, username, password_hash, role, disabled, created_at, session_epoch, lang from user;
drop table user;
alter table user_new rename to user;

-- The stores a store manager handles. Other roles have no rows here.
create table user_store (
    user_id    integer not null references user (id) on delete cascade,
    store      text not null references store (code),
    primary key (user_id, store)
);

create table complaint_case (
    id                 integer primary key,
    code               text not null unique,      -- TS-2026-000123 / JY-2026-000045, shown to customers
    year               integer not null,          -- the code's year and sequence, for numbering
    seq                integer not null,
    kind               text not null check (kind in ('complaint', 'suggestion')),
    channel            text not null check (channel in ('survey', 'walk_in', 'phone', 'web', 'mystery_shop')),
    store              text not null,
    department         text,
    description        text not null,
    request            text not null check (request in ('refund', 'exchange', 'repair', 'apology', 'other', 'none')),
    contact            text,                      -- only with consent; null after erasure
    contact_consent    integer not null default 0,
    erased_at          text,                      -- contact erased on request
    priority           text not null check (priority in ('high', 'normal', 'low')),
    step               text not null check (step in ('validity', 'assign', 'cause', 'solution',
                           'approval', 'implement', 'summary', 'closed')),
    opened_at          text not null,             -- RFC 3339, UTC
    reply_due          text not null,
    resolve_due        text not null,
    first_reply_at     text,
    closed_at          text,
    valid              integer,
    invalid_reason     text,
    owner_id           integer references user (id),
    category           text,
    root_cause         text,
    solution           text,
    remedy             text,
    compensation       text,
    approved_by        integer references user (id),
    implementation     text,
    summary            text,
    customer_accepted  integer,
    resolved           integer,
    response_id        integer references response (id),
    created_by         integer references user (id), -- null: opened by a customer or a survey
    recovery_at        text,                      -- the recovery survey's answers (one time)
    recovery_satisfied integer,
    recovery_return    integer,
    overdue_at         text,                      -- when it was escalated as overdue
    imported           integer not null default 0,
    unique (year, seq, kind)
);
create index case_by_store on complaint_case (store, step);
create index case_by_due on complaint_case (step, resolve_due);
create index case_by_opened on complaint_case (opened_at);
create index case_by_response on complaint_case (response_id);

-- Every step taken: who, when, what. `public` events are shown on the customer's status page.
create table case_event (
    id        integer primary key,
    case_id   integer not null references complaint_case (id) on delete cascade,
    at        text not null,
    actor_id  integer references user (id),       -- null: the customer or the system
    step      text not null,                      -- the step it was taken at
    action    text not null,                      -- opened, valid, invalid, assigned, cause, proposed, approved, sent_back, implemented, closed, reply, note, overdue, recovery, erased
    note      text,
    public    integer not null default 0
);
create index case_event_by_case on case_event (case_id, id);
