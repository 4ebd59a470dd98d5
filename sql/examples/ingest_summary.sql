-- How many rows did the last ingest read, keep and quarantine per table?
select table_name, rows_read, rows_kept, rows_quarantined
from run_log
where step = 'ingest'
  and run_id = (select max_by(run_id, finished_at) from run_log where step = 'ingest')
order by table_name;
