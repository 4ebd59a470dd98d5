-- Upcoming renewals on a day with their deadlines and statuses. Parameter: the day.
select client_name, renewal_deadline, status, estimated_new_mrr_usd
from upcoming_renewals
where as_of = $day
order by renewal_deadline
