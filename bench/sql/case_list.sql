-- Case list (/sager/), first page as an SSP coordinator sees it: the municipality's open cases,
-- newest first, 25 a page, with the young person's name, level, forum and number of open tasks
-- (the columns of cases/case_list.html). Parameters: municipality_id.
SELECT c.id,
       yp.first_name,
       yp.last_name,
       c.level,
       f.name AS forum,
       (SELECT count(*)
          FROM cases_task t
         WHERE t.case_id = c.id AND t.status = 'open') AS open_tasks,
       c.opened_at
  FROM cases_case c
  JOIN cases_youngperson yp ON yp.id = c.young_person_id
  JOIN organisation_forum f ON f.id = c.forum_id
 WHERE c.municipality_id = %(municipality_id)s
   AND c.status = 'open'
   AND c.anonymised_at IS NULL
 ORDER BY c.opened_at DESC, c.id DESC
 LIMIT 25
