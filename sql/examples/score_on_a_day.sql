-- What were the score bands 30 days earlier (from the history)?
select day, score_id, band, count(*) as records, round(avg(score), 2) as avg_score
from engagement_score_daily
where day in (select max(day) - interval 30 day from engagement_score_daily)
group by all
order by score_id, band;
