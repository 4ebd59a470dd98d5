-- One validated snapshot table: every ingested snapshot date, from the lake. The empty file of the
-- `snapshot_date=_schema` folder fixes the column types before the first snapshot lands; the folder
-- names are not read as columns (`snapshot_date` is in every file, typed).
create or replace view {table} as
select *
from read_parquet(engage_lake() || '/{table}/snapshot_date=*/data/*.parquet', union_by_name = true, hive_partitioning = false)
where engage_here();
