-- Quarantined rows of the latest snapshot, per table, column and reason.
select table_name, column_name, reason, rows
from quarantine_summary
where snapshot_date = (select max(snapshot_date) from quarantine_summary)
