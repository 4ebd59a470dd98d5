-- The score definitions registry: one row per definition ever run, deleted ones marked.
create or replace view score_definitions as
select *
from read_parquet(engage_store() || '/registry/score_definitions.parquet')
where engage_here();
