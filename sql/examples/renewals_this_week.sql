-- Whose renewal deadline is this week (the next 7 days, from the latest day loaded)?
select client_name, contract_type, status, renewal_deadline, days_to_deadline,
       communication_owner, current_mrr_usd, estimated_new_mrr_usd
from upcoming_renewals
where as_of = (select max(as_of) from upcoming_renewals)
  and days_to_deadline between 0 and 6
order by renewal_deadline, client_name;
