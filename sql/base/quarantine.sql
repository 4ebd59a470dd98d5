-- Rejected snapshot rows with the table, key, column and reason, per snapshot date.
create or replace view quarantine as
select *
from read_parquet(
    [engage_lake() || '/_schema/quarantine.parquet', engage_lake() || '/_quarantine/snapshot_date=*/tables/*.parquet'],
    union_by_name = true,
    allow_empty = true
)
where engage_here();
