-- Reporting: sales data, API tokens for sending it, and daily rollups of the tagged answers.

create table sales (
    store_code   text not null references store (code) on update cascade,
    day          text not null,                  -- YYYY-MM-DD
    transactions integer not null check (transactions >= 0),
    revenue      real not null check (revenue >= 0),
    imported_at  text not null,
    primary key (store_code, day)
) without rowid;

-- Tokens for machine clients (POST /api/v1/sales). Only a SHA-256 of each token is kept.
create table api_token (
    id          integer primary key,
    name        text not null,
    token_hash  text not null unique,
    created_by  integer not null references user (id),
    created_at  text not null,
    revoked     integer not null default 0
);

-- One row per form, store and local day, updated in the transaction that stores a
-- response, so reports read thousands of rows instead of millions of answers.
create table daily_stat (
    day            text not null,
    store_code     text not null,                -- '' when the customer named no store
    form_id        text not null,
    responses      integer not null default 0,
    sat_n          integer not null default 0,   -- answers to the `satisfaction` question
    sat_top2       integer not null default 0,   -- of which 4 or 5
    nps_n          integer not null default 0,
    nps_promoters  integer not null default 0,   -- 9–10
    nps_detractors integer not null default 0,   -- 0–6
    return_n       integer not null default 0,
    return_repeat  integer not null default 0,   -- "not my first purchase"
    complaints     integer not null default 0,
    awareness_n    integer not null default 0,   -- respondents who named any channel
    primary key (day, store_code, form_id)
) without rowid;
create index daily_stat_by_store on daily_stat (store_code, day);

create table daily_channel (
    day        text not null,
    store_code text not null,
    form_id    text not null,
    channel    text not null,
    n          integer not null default 0,
    primary key (day, store_code, form_id, channel)
) without rowid;

create table daily_gap (
    day        text not null,
    store_code text not null,
    form_id    text not null,
    aspect     text not null,
    n          integer not null default 0,
    sum        real not null default 0,         -- Σ (experience − expectation)
    sum_sq     real not null default 0,
    primary key (day, store_code, form_id, aspect)
) without rowid;

create index audit_for_reports on audit (status, excluded, visit_date);
