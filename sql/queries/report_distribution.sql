-- Each definition's score buckets and bands on a day. Parameter: the day.
select *
from engagement_score_distribution
where as_of = $day
order by score_id, bucket_low
