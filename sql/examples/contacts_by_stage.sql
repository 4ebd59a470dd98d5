select portal_id, lifecycle_stage, count(*) as contacts
from contacts
where snapshot_date = (select max(snapshot_date) from contacts)
group by all
order by portal_id, contacts desc
limit 12;
