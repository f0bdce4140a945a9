-- Webhooks for case events, and their delivery queue. A delivery is queued in the same
-- transaction as the change it reports and sent later by a worker outside the write
-- path, so a failing endpoint never slows a submission and nothing is lost across a
-- restart (a row is pending until its endpoint answered 2xx or it gave up).
create table webhook (
    id          integer primary key,
    -- May itself carry a credential (DingTalk's ?access_token=, WeCom's ?key=): shown to
    -- admins only, never logged.
    url         text not null,
    -- The HMAC-SHA256 key, 64 hex digits, used as typed (its ASCII bytes). It is needed to
    -- sign, so it is stored as is, like a server key (see 0008_secrets.sql).
    secret      text not null,
    -- Space-separated event names: case.opened case.overdue case.closed.
    events      text not null,
    created_at  text not null,
    created_by  integer references user (id),
    disabled    integer not null default 0 check (disabled in (0, 1))
);

create table webhook_delivery (
    id              integer primary key,
    webhook_id      integer not null references webhook (id) on delete cascade,
    event           text not null check (event in ('case.opened', 'case.overdue', 'case.closed')),
    -- The body's "case" object, JSON, as the change left it.
    payload         text not null,
    status          text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
    attempts        integer not null default 0,
    -- RFC 3339 UTC, whole seconds, so text order is time order. A worker that takes a row
    -- moves this past its request's timeout first: a worker killed mid-request leaves the
    -- row due again later, never lost.
    next_attempt_at text not null,
    -- The endpoint's last HTTP status, or null when it was not reached.
    last_status     integer,
    last_error      text,
    created_at      text not null,
    delivered_at    text
);
-- The worker's claim: pending rows due by now, oldest first.
create index webhook_delivery_due on webhook_delivery (status, next_attempt_at);
-- The admins' log, latest first, filtered by status.
create index webhook_delivery_log on webhook_delivery (status, id);
-- Deleting a webhook deletes its deliveries.
create index webhook_delivery_by_hook on webhook_delivery (webhook_id);
