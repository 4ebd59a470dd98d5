-- Clients per platform engagement band on a day. Parameter: the day.
select band, count(*) as clients
from platform_engagement_index
where as_of = $day
group by band
