-- engagement_score_history: one row per record and stretch of days with the same score and band,
-- read from the stored change rows, a folder per part (contact bucket, companies); a null score is
-- the day a record left the scope. valid_to is exclusive and null while the row is current;
-- deleted definitions are hidden like the score tables.
create or replace view engagement_score_history as
with changes as (
    select *
    from read_parquet(engage_store() || '/history/*/changes_*.parquet')
    where score_id not in (select score_id from score_definitions where values_dropped) and engage_here()
),

intervals as (
    select
        *,
        lead(valid_from) over record_days as valid_to
    from changes
    window record_days as (partition by score_id, object_type, portal_id, record_id order by valid_from)
)

select score_id, object_type, portal_id, record_id, score, band, valid_from, valid_to
from intervals
where score is not null;
