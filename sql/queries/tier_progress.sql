-- The partner's points and tier on every stored day, for the tier progress chart.
select as_of, total_points, sold_points, sourced_points, managed_points, tier
from partner_tier
order by as_of
