-- Band crossings in the seven days up to a day, newest and highest first. Parameter: the day.
select crossed_on, score_id, record_id, from_band, to_band, score
from engagement_band_crossings
where crossed_on between $day - interval 6 day and $day
order by crossed_on desc, score desc
