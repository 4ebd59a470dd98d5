-- How many days the warehouse holds, and the first and last.
select count(distinct as_of), min(as_of), max(as_of)
from run_summary
