-- Rejected rows per snapshot date, table, column and reason (a row failing two checks counts twice).
create or replace view quarantine_summary as
select snapshot_date, table_name, column_name, reason, count(*) as rows
from quarantine
group by all
order by snapshot_date desc, table_name, rows desc;
