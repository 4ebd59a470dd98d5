-- Why were rows of the latest snapshot quarantined?
select table_name, column_name, reason, count(*) as rows
from quarantine
where snapshot_date = (select max(snapshot_date) from quarantine)
group by all
order by table_name, rows desc;
