-- The dashboard's "Client engagement" tab: one row per client and day, with the filters it offers
-- (index score, index zone, opportunity, client) as plain columns.
--   select * from client_engagement where as_of = '2026-06-30' and band = 'low'
--     and list_contains(opportunities, 'cross_sell:sales_hub');
create or replace view client_engagement as
with opportunity_lists as (
    select as_of, client_id, list(opportunity order by opportunity) as opportunities
    from client_opportunities
    group by all
)

select
    i.as_of,
    i.client_id,
    c.name as client_name,
    c.relationship,
    i.index_score,
    i.band,
    i.tools_in_use,
    c.products_owned,
    c.total_mrr_usd,
    coalesce(o.opportunities, []) as opportunities
from platform_engagement_index as i
join clients_overview as c using (as_of, client_id)
left join opportunity_lists as o using (as_of, client_id);
