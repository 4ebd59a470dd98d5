-- One row per table per run and day: rows read, kept, quarantined and written, and timings.
create or replace view run_log as
select *
from read_parquet(engage_store() || '/run_log/*.parquet', union_by_name = true)
where engage_here();
