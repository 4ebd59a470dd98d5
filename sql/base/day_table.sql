-- One computed table: every published day, read from the day folders of the store (one or more
-- part files per table and day: one per contact bucket for the score tables).
create or replace view {table} as
select *
from read_parquet(engage_store() || '/day=*/{table}/*.parquet', union_by_name = true)
where engage_here();
