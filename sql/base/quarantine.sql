-- Rejected snapshot rows with the table, key, column and reason, per snapshot date (the empty file
-- of `snapshot_date=_schema` fixes the column types before the first snapshot lands).
create or replace view quarantine as
select *
from read_parquet(engage_lake() || '/_quarantine/snapshot_date=*/tables/*.parquet', union_by_name = true, hive_partitioning = false)
where engage_here();
