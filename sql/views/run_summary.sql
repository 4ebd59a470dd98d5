-- One row per run and day (latest first): rows read, kept and quarantined at ingest, rows written
-- and seconds spent computing. What `engage status` shows.
create or replace view run_summary as
select
    run_id,
    flow,
    as_of,
    snapshot_date,
    max(finished_at) as finished_at,
    sum(rows_read) filter (where step = 'ingest') as rows_read,
    sum(rows_kept) filter (where step = 'ingest') as rows_kept,
    sum(rows_quarantined) filter (where step = 'ingest') as rows_quarantined,
    sum(rows_written) filter (where step = 'compute') as rows_written,
    max(seconds) filter (where step = 'compute') as compute_seconds
from run_log
group by all
order by finished_at desc;
