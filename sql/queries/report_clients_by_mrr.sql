-- Clients on a day, largest MRR first. Parameter: the day.
select name, band, index_score, total_mrr_usd, relationship
from clients_overview
where as_of = $day
order by total_mrr_usd desc nulls last
