-- How many records are in each band of each score today?
select score_id, band, count(*) as records, round(avg(score), 2) as avg_score, max(score) as max_score
from engagement_scores
where as_of = (select max(as_of) from engagement_scores)
group by all
order by score_id, band;
