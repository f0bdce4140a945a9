-- One row that /healthz rewrites while the write path is failing, to learn when the
-- disk takes writes again without waiting for the next customer.
create table write_probe (
    id integer primary key check (id = 1),
    at text not null
);
