-- PostgreSQL twin of migrations/sqlite/0005_monthly_rollups.sql.

-- Monthly rollups beside the daily ones: a report over whole months reads one row per
-- store and month instead of thirty. Same columns; `day` holds the month as YYYY-MM.

create table monthly_stat (
    day            text not null,
    store_code     text not null,
    form_id        text not null,
    responses      bigint not null default 0,
    sat_n          bigint not null default 0,
    sat_top2       bigint not null default 0,
    nps_n          bigint not null default 0,
    nps_promoters  bigint not null default 0,
    nps_detractors bigint not null default 0,
    return_n       bigint not null default 0,
    return_repeat  bigint not null default 0,
    complaints     bigint not null default 0,
    awareness_n    bigint not null default 0,
    primary key (day, store_code, form_id)
);

create table monthly_channel (
    day        text not null,
    store_code text not null,
    form_id    text not null,
    channel    text not null,
    n          bigint not null default 0,
    primary key (day, store_code, form_id, channel)
);

create table monthly_gap (
    day        text not null,
    store_code text not null,
    form_id    text not null,
    aspect     text not null,
    n          bigint not null default 0,
    sum        double precision not null default 0,
    sum_sq     double precision not null default 0,
    primary key (day, store_code, form_id, aspect)
);

-- A new PostgreSQL database has no daily rows yet; kept so both files say the same.
-- The numeric sums go back into bigint columns by assignment cast.
insert into monthly_stat
select substr(day, 1, 7), store_code, form_id, sum(responses), sum(sat_n), sum(sat_top2), sum(nps_n),
       sum(nps_promoters), sum(nps_detractors), sum(return_n), sum(return_repeat), sum(complaints), sum(awareness_n)
from daily_stat group by 1, 2, 3;

insert into monthly_channel
select substr(day, 1, 7), store_code, form_id, channel, sum(n) from daily_channel group by 1, 2, 3, 4;

insert into monthly_gap
select substr(day, 1, 7), store_code, form_id, aspect, sum(n), sum(sum), sum(sum_sq) from daily_gap group by 1, 2, 3, 4;
