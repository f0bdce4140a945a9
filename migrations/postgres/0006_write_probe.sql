-- PostgreSQL twin of migrations/sqlite/0006_write_probe.sql. The id is a plain key, not
-- an identity: the probe always writes row 1 itself.

-- One row that /healthz writes while the write path is failing, to learn when the disk
-- takes writes again without waiting for the next customer. `pad` makes the probe as
-- large as a big batch (1 MiB), so a probe that fits in space a failed batch left behind
-- cannot report a disk as healthy that still refuses real batches.
create table write_probe (
    id  bigint primary key check (id = 1),
    at  text not null,
    pad bytea
);
