-- bench/prisoners_copy.sql for SQLite's command-line shell: the rows and columns of
-- /prisoners.csv, one SELECT, as the baseline the CSV view is measured against
-- (`sqlite3 -csv -header`). SQLite has no regular expressions, lateral joins or
-- concat_ws (3.40): initials are taken of the first two words, and the charges
-- are joined with plain concatenation, so a few bytes differ; the rows, their
-- order and the columns are the same. {base} is the site's address.
SELECT
    lower(substr(p.uid, 1, 8) || '-' || substr(p.uid, 9, 4) || '-' || substr(p.uid, 13, 4) || '-'
          || substr(p.uid, 17, 4) || '-' || substr(p.uid, 21)) AS person_uid,
    {base} || '/prisoners/' || lower(substr(p.uid, 1, 8) || '-' || substr(p.uid, 9, 4) || '-' || substr(p.uid, 13, 4)
          || '-' || substr(p.uid, 17, 4) || '-' || substr(p.uid, 21)) || '/' AS person_url,
    CASE WHEN p.identity_level = 'full' THEN p.name
         ELSE upper(substr(p.name, 1, 1)) || '.'
              || CASE WHEN instr(p.name, ' ') > 0 THEN ' ' || upper(substr(p.name, instr(p.name, ' ') + 1, 1)) || '.'
                      ELSE '' END END AS name,
    CASE WHEN p.identity_level = 'full' THEN 'true' ELSE 'false' END AS is_named,
    CASE WHEN p.identity_level = 'full' THEN p.birth_year END AS birth_year,
    CASE WHEN p.identity_level = 'full' THEN p.region ELSE '' END AS region,
    CASE WHEN p.identity_level = 'full' THEN p.occupation ELSE '' END AS occupation,
    CASE d.custody_status
        WHEN 'held' THEN 'Held' WHEN 'released' THEN 'Released' WHEN 'served_sentence' THEN 'Served the sentence'
        WHEN 'pardoned' THEN 'Pardoned' WHEN 'deported' THEN 'Deported' WHEN 'died_in_custody' THEN 'Died in custody'
        ELSE 'Unknown' END AS custody_status,
    d.country AS country,
    CASE WHEN d.detained_on IS NULL THEN ''
         WHEN p.identity_level <> 'full' OR d.detained_on_precision = 'year' THEN substr(d.detained_on, 1, 4)
         WHEN d.detained_on_precision = 'month' THEN substr(d.detained_on, 1, 7)
         ELSE d.detained_on END AS detained,
    CASE WHEN d.detained_on IS NULL THEN '' WHEN p.identity_level <> 'full' THEN 'year'
         ELSE d.detained_on_precision END AS detained_precision,
    CASE WHEN d.released_on IS NULL THEN ''
         WHEN p.identity_level <> 'full' OR d.released_on_precision = 'year' THEN substr(d.released_on, 1, 4)
         WHEN d.released_on_precision = 'month' THEN substr(d.released_on, 1, 7)
         ELSE d.released_on END AS released,
    CASE WHEN d.released_on IS NULL THEN '' WHEN p.identity_level <> 'full' THEN 'year'
         ELSE d.released_on_precision END AS released_precision,
    CASE d.release_mode
        WHEN 'pardon' THEN 'Pardon' WHEN 'end_of_sentence' THEN 'End of sentence'
        WHEN 'exchange_or_deportation' THEN 'Exchange or forced deportation'
        WHEN 'acquittal' THEN 'Acquittal' WHEN 'other' THEN 'Other' ELSE '' END AS release_mode,
    released.uid AS release_uid,
    CASE WHEN released.uid IS NOT NULL THEN {base} || '/events/' || released.uid || '/' ELSE '' END AS release_url,
    CASE WHEN p.identity_level = 'full' THEN d.facility ELSE '' END AS facility,
    CASE WHEN p.identity_level = 'full' THEN d.sentence ELSE '' END AS sentence,
    coalesce((SELECT group_concat(article, ', ') FROM
              (SELECT c.article FROM tracker_charge c WHERE c.detention_id = d.id ORDER BY c.article, c.id)), '') AS articles,
    coalesce((SELECT group_concat(charge, ' | ') FROM
              (SELECT trim(coalesce(nullif(c.code, '') || ' ', '') || coalesce(nullif(c.article, '') || ' ', '')
                           || CASE WHEN p.identity_level = 'full' AND c.description <> ''
                                   THEN '(' || c.description || ')' ELSE '' END) AS charge
               FROM tracker_charge c WHERE c.detention_id = d.id ORDER BY c.article, c.id)), '') AS charges,
    coalesce(o.name, '') AS recognised_by,
    CASE WHEN d.recognised_on IS NULL THEN ''
         WHEN p.identity_level = 'full' THEN d.recognised_on
         ELSE substr(d.recognised_on, 1, 4) END AS recognised_on,
    CASE WHEN d.recognised_on IS NULL THEN '' WHEN p.identity_level = 'full' THEN 'day'
         ELSE 'year' END AS recognised_on_precision
FROM tracker_detention d
JOIN tracker_person p ON p.id = d.person_id
LEFT JOIN tracker_organization o ON o.id = d.recognised_by_id AND o.status = 'published'
LEFT JOIN (
    SELECT r.detention_id, min(e.uid) AS uid FROM events_releaseddetention r JOIN events_event e ON e.id = r.release_id
    WHERE e.status = 'published' GROUP BY r.detention_id
) released ON released.detention_id = d.id
WHERE d.status = 'published' AND p.status = 'published' AND p.identity_level IN ('full', 'initials')
ORDER BY lower(CASE WHEN p.identity_level = 'full' THEN p.name
                    ELSE upper(substr(p.name, 1, 1)) END), p.uid,
         d.detained_on DESC NULLS LAST, d.id;
