-- What does 'test a record' show for the top MQL contact?
select s.record_id as contact_id, s.score, s.band, b.group_name, b.component, b.events, b.points
from engagement_scores as s
join engagement_score_breakdown as b using (score_id, object_type, portal_id, record_id, as_of)
where s.score_id = 'mql_engagement'
  and s.as_of = (select max(as_of) from engagement_scores)
  and s.record_id = (
      select max_by(record_id, score) from engagement_scores
      where score_id = 'mql_engagement' and as_of = s.as_of
  )
order by b.group_name nulls last, b.rule_index, b.component;
