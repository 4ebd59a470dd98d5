-- The "Upcoming renewals" tab with its search by client name (case-insensitive):
--   select * from renewal_search where as_of = '2026-06-30' and client_search like '%acme%';
create or replace view renewal_search as
select
    r.*,
    lower(r.client_name) as client_search,
    r.status = 'pending' and r.days_to_deadline >= 0 as needs_decision
from upcoming_renewals as r;
