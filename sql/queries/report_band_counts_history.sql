-- Records per band and day up to a day, from the score history. Parameter: the day.
select day, score_id, band, count(*) as records
from engagement_score_daily
where day <= $day and band is not null
group by all
order by day
