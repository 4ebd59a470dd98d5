-- Records per band and day up to a day, from the day tables (when no history is stored). Parameter: the day.
select as_of as day, score_id, band, count(*) as records
from engagement_scores
where as_of <= $day and band is not null
group by all
order by day
