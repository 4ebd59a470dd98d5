-- The registry for `engage scores list`. Parameters: search text (or null), status (or null: all
-- but deleted), changed since (or null).
select
    score_id,
    name,
    score_type,
    object_type,
    status,
    score_limit,
    threshold_medium,
    threshold_high,
    groups,
    rules,
    content_hash,
    first_seen,
    last_changed,
    last_computed,
    file
from score_definitions
where
    ($search is null or score_id ilike '%' || $search || '%' or name ilike '%' || $search || '%')
    and (case when $status is null then status != 'deleted' else status = $status end)
    and ($changed_since is null or last_changed >= $changed_since)
order by score_id
