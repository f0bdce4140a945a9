-- Honest numbers: every response gets an opaque public id (the API's receipt, so ids no
-- longer reveal how many responses a chain takes), may carry the receipt code of the
-- purchase it rates (one purchase, one response, enforced by the unique index), and has
-- a state. Responses the quality checks flagged are stored `held`: kept, but out of
-- every rollup until a manager accepts (`counted`) or excludes (`excluded`) them.
alter table response add column public_id text;
update response set public_id = lower(hex(randomblob(12))) where public_id is null;
create unique index response_by_public_id on response (public_id);

-- The receipt's store number, purchase day and transaction (16 digits), never its MAC.
alter table response add column receipt text;
create unique index response_by_receipt on response (receipt) where receipt is not null;
alter table response add column purchase_day text;

alter table response add column state text not null default 'counted'
    check (state in ('counted', 'held', 'excluded'));
-- Space-separated names of the quality checks that held the response back.
alter table response add column flags text;
create index response_held on response (form_id, submitted_at) where state = 'held';

-- Every accept or exclude, with who and when; the response's state is the latest one.
create table response_decision (
    id          integer primary key,
    response_id integer not null references response (id) on delete cascade,
    decision    text not null check (decision in ('counted', 'excluded')),
    decided_by  integer not null references user (id),
    decided_at  text not null,
    note        text
);
create index response_decision_by_response on response_decision (response_id);
