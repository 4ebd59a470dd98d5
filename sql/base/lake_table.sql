-- One validated snapshot table: every ingested snapshot date, from the lake. The empty file of the
-- `snapshot_date=_schema` folder fixes the column types before the first snapshot lands.
create or replace view {table} as
select *
from read_parquet(engage_lake() || '/{table}/snapshot_date=*/data/*.parquet', union_by_name = true)
where engage_here();
