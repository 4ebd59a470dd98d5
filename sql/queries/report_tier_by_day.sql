-- The partner tier on every day up to a day, latest first. Parameter: the day.
select as_of, tier, total_points, sold_points, managed_points, next_tier, missing_total, expiring_soon
from partner_tier
where as_of <= $day
order by as_of desc
