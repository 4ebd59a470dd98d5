-- The latest day loaded: of the engagement scores, else of the partner tier.
select coalesce((select max(as_of) from engagement_scores), (select max(as_of) from partner_tier))
