-- The latest runs, newest first. Parameter: how many.
select *
from run_summary
limit $runs
