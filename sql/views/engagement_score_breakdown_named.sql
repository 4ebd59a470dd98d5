-- The breakdown with each rule named: the event type, filters and window behind every `rule` and
-- `limit_to` row (null for group and score-level rows). "Why does record 42 score 35 today":
-- `where record_id = 42 and as_of = current_date order by group_name, rule_index`.
create or replace view engagement_score_breakdown_named as
select
    breakdown.score_id,
    breakdown.object_type,
    breakdown.portal_id,
    breakdown.record_id,
    breakdown.as_of,
    breakdown.group_name,
    breakdown.rule_index,
    rules.event_type,
    rules.filters,
    rules.rule,
    breakdown.value,
    breakdown.component,
    breakdown.events,
    breakdown.points
from engagement_score_breakdown as breakdown
left join engagement_score_rules as rules
    on breakdown.score_id = rules.score_id
    and breakdown.as_of = rules.as_of
    and breakdown.group_name = rules.group_name
    and breakdown.rule_index = rules.rule_index;
