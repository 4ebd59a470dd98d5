-- One validated snapshot table: every ingested snapshot date, from the lake. The empty schema
-- file fixes the column types before the first snapshot lands.
create or replace view {table} as
select *
from read_parquet(
    [engage_lake() || '/_schema/{table}.parquet', engage_lake() || '/{table}/snapshot_date=*/data/*.parquet'],
    union_by_name = true,
    allow_empty = true
)
where engage_here();
