-- Every day a record moved into another band (from the day before, without a gap): the band it
-- left, the band it entered and its score that day. "Who crossed into high yesterday":
-- `where to_band = 'high' and crossed_on = current_date - 1`.
create or replace view engagement_band_crossings as
with ordered as (
    select
        *,
        lag(band) over record_days as from_band,
        lag(valid_to) over record_days as previous_valid_to
    from engagement_score_history
    window record_days as (partition by score_id, object_type, portal_id, record_id order by valid_from)
)

select
    score_id,
    object_type,
    portal_id,
    record_id,
    valid_from as crossed_on,
    from_band,
    band as to_band,
    score
from ordered
where previous_valid_to = valid_from
    and from_band is distinct from band;
