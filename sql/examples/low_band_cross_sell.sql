-- Which clients are in the low index band with a cross-sell opportunity?
select client_name, index_score, band, total_mrr_usd,
       list_filter(opportunities, lambda o: o like 'cross_sell:%') as cross_sell
from client_engagement
where as_of = (select max(as_of) from client_engagement)
  and band = 'low'
  and len(list_filter(opportunities, lambda o: o like 'cross_sell:%')) > 0
order by total_mrr_usd desc
limit 10;
