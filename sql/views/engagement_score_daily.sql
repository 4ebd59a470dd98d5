-- The score and band of every record on every day the stored history covers, from
-- engagement_score_history: `where day = DATE '2026-03-03'` answers "what was the score on 3 March".
-- Days between two runs carry the earlier run's values.
create or replace view engagement_score_daily as
with covered as (
    select min(day) as first_day, max(day) as last_day
    from read_parquet(engage_store() || '/history/coverage.parquet')
),

calendar as (
    select cast(range as date) as day
    from covered, range(covered.first_day, covered.last_day + interval 1 day, interval 1 day)
)

select
    calendar.day,
    history.score_id,
    history.object_type,
    history.portal_id,
    history.record_id,
    history.score,
    history.band
from calendar
join engagement_score_history as history
    on history.valid_from <= calendar.day
    and calendar.day < coalesce(history.valid_to, date '9999-12-31');
