-- Clients with each kind of opportunity, per index band, on a day. Parameter: the day.
select band, kind, sum(clients) as clients
from client_base_opportunities
where as_of = $day
group by all
