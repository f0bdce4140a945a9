-- People who log in, and the store registry that customer forms and audits refer to.

create table user (
    id            integer primary key,
    username      text not null unique collate nocase,
    password_hash text not null,              -- argon2id PHC string; never logged
    role          text not null check (role in ('admin', 'manager', 'shopper')),
    disabled      integer not null default 0,
    created_at    text not null
);

create table store (
    code          text primary key,           -- as printed on the poster: ?store=CODE
    name          text not null,
    region        text not null,
    address       text,
    opening_hours text,
    updated_at    text not null
);
create index store_by_region on store (region, code);
