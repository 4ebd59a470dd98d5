-- The days whose tables are stored: what `where as_of = ...` on a day table can find.
create or replace macro computed_days() as table
select distinct regexp_extract(file, '/day=(\d\d\d\d-\d\d-\d\d)/engagement_scores/[^/]*$', 1)::date as as_of
from glob(engage_store() || '/day=*/engagement_scores/*.parquet')
where regexp_matches(file, '/day=\d\d\d\d-\d\d-\d\d/engagement_scores/[^/]*$')
order by as_of;

-- The scores of one day; a day never computed is an error naming the days there are (a filter on
-- engagement_scores would return no rows without saying why).
create or replace macro engagement_scores_on(day) as table
with guard as (
    select
        case
            when day::date in (select as_of from computed_days()) then true
            else error(
                'no scores were computed for ' || day::date || '; days computed: '
                || coalesce((select string_agg(as_of::varchar, ', ' order by as_of) from computed_days()), 'none')
                || ' (engagement_score_daily has every day of the score history;'
                || ' engage run --as-of or engage backfill computes a day)'
            )
        end as known
)

select scores.*
from guard
cross join engagement_scores as scores
where guard.known
    and scores.as_of = day::date;
