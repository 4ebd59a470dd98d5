-- Renewals open on a day: the coming deadlines first (earliest first), then those already passed
-- (most recent first). Parameter: the day.
select
    client_name,
    contract_type,
    status,
    renewal_deadline,
    days_to_deadline,
    communication_owner,
    current_mrr_usd,
    estimated_new_mrr_usd
from upcoming_renewals
where as_of = $day
order by renewal_deadline < $day, abs(days_to_deadline)
