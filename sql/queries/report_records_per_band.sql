-- Records and average score per definition and band on a day. Parameter: the day.
select score_id, band, count(*) as records, round(avg(score), 2) as avg_score
from engagement_scores
where as_of = $day
group by all
order by all
