-- One computed table: every published day, read from the day folders of the store (one or more
-- part files per table and day: one per contact bucket for the score tables). The `day=` folder names
-- are not read as a column: every row carries its typed `as_of`.
create or replace view {table} as
select *
from read_parquet(engage_store() || '/day=*/{table}/*.parquet', union_by_name = true, hive_partitioning = false)
where engage_here();
