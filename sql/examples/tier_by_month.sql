-- Tier progress by month: the partner's tier and points on the last day loaded in each month.
select date_trunc('month', as_of) as month, arg_max(tier, as_of) as tier,
       arg_max(total_points, as_of) as total_points, arg_max(next_tier, as_of) as next_tier,
       arg_max(missing_total, as_of) as missing_total
from partner_tier
group by all
order by month;
