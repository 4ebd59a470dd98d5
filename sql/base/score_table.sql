-- One engagement score table: every published day, less the values of definitions deleted with
-- --drop-values (hidden at once by the registry, purged from the files afterwards).
create or replace view {table} as
select *
from read_parquet(engage_store() || '/day=*/{table}/*.parquet', union_by_name = true, hive_partitioning = false)
where score_id not in (select score_id from score_definitions where values_dropped) and engage_here();
