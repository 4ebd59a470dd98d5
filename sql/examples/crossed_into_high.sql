-- Which contacts crossed into the high band on the last day of the history?
select crossings.score_id, crossings.record_id as contact_id, crossings.from_band, crossings.score, contacts.email
from engagement_band_crossings as crossings
join contacts
    on contacts.portal_id = crossings.portal_id
    and contacts.contact_id = crossings.record_id
    and contacts.snapshot_date = (select max(snapshot_date) from contacts)
where crossings.object_type = 'contact'
    and crossings.to_band = 'high'
    and crossings.crossed_on = (select max(day) from engagement_score_daily)
order by crossings.score_id, crossings.score desc;
