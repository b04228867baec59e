-- Deadline board (/frister/), first page as an SSP coordinator sees it: the municipality's open
-- deadlines that are overdue or due within the next 7 days, soonest first, 50 a page, with the
-- kind, offence, young person, due date and responsible member (police/deadlines.html).
-- Parameters: municipality_id, today.
SELECT d.id,
       d.kind,
       o.name AS offence,
       r.offence_text,
       yp.first_name,
       yp.last_name,
       d.due_on,
       m.name AS responsible,
       d.escalated_at
  FROM police_deadline d
  JOIN cases_youngperson yp ON yp.id = d.young_person_id
  LEFT JOIN police_policereport r ON r.id = d.report_id
  LEFT JOIN police_offence o ON o.id = r.offence_id
  LEFT JOIN organisation_member m ON m.id = d.responsible_id
 WHERE d.municipality_id = %(municipality_id)s
   AND d.met_on IS NULL
   AND d.due_on <= %(today)s::date + 7
 ORDER BY d.due_on, d.id
 LIMIT 50
