-- The rows and columns of /prisoners.csv (events/columns.py PRISONERS), as one
-- SELECT for PostgreSQL's COPY: one row per published detention of a published
-- person named in full or by initials, with what their identity level lets the
-- public see. The baseline the CSV view is measured against; {base} is the
-- site's address, for the URL columns. Formula escaping is not reproduced.
SELECT
    p.uid AS person_uid,
    {base} || '/prisoners/' || p.uid || '/' AS person_url,
    CASE WHEN p.identity_level = 'full' THEN p.name
         ELSE upper(regexp_replace(p.name, '(\w)\w*', '\1.', 'g')) END AS name,
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
         WHEN p.identity_level <> 'full' OR d.detained_on_precision = 'year' THEN to_char(d.detained_on, 'YYYY')
         WHEN d.detained_on_precision = 'month' THEN to_char(d.detained_on, 'YYYY-MM')
         ELSE to_char(d.detained_on, 'YYYY-MM-DD') END AS detained,
    CASE WHEN d.detained_on IS NULL THEN '' WHEN p.identity_level <> 'full' THEN 'year'
         ELSE d.detained_on_precision END AS detained_precision,
    CASE WHEN d.released_on IS NULL THEN ''
         WHEN p.identity_level <> 'full' OR d.released_on_precision = 'year' THEN to_char(d.released_on, 'YYYY')
         WHEN d.released_on_precision = 'month' THEN to_char(d.released_on, 'YYYY-MM')
         ELSE to_char(d.released_on, 'YYYY-MM-DD') END AS released,
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
    coalesce(charges.articles, '') AS articles,
    coalesce(charges.charges, '') AS charges,
    coalesce(o.name, '') AS recognised_by,
    CASE WHEN d.recognised_on IS NULL THEN ''
         WHEN p.identity_level = 'full' THEN to_char(d.recognised_on, 'YYYY-MM-DD')
         ELSE to_char(d.recognised_on, 'YYYY') END AS recognised_on,
    CASE WHEN d.recognised_on IS NULL THEN '' WHEN p.identity_level = 'full' THEN 'day'
         ELSE 'year' END AS recognised_on_precision
FROM tracker_detention d
JOIN tracker_person p ON p.id = d.person_id
LEFT JOIN tracker_organization o ON o.id = d.recognised_by_id AND o.status = 'published'
LEFT JOIN LATERAL (
    SELECT e.uid FROM events_releaseddetention r JOIN events_event e ON e.id = r.release_id
    WHERE r.detention_id = d.id AND e.status = 'published' LIMIT 1
) released ON true
LEFT JOIN LATERAL (
    SELECT
        string_agg(c.article, ', ' ORDER BY c.article, c.id) AS articles,
        string_agg(
            concat_ws(' ', nullif(c.code, ''), nullif(c.article, ''),
                      CASE WHEN p.identity_level = 'full' AND c.description <> '' THEN '(' || c.description || ')' END),
            ' | ' ORDER BY c.article, c.id
        ) AS charges
    FROM tracker_charge c WHERE c.detention_id = d.id
) charges ON true
WHERE d.status = 'published' AND p.status = 'published' AND p.identity_level IN ('full', 'initials')
ORDER BY lower(CASE WHEN p.identity_level = 'full' THEN p.name
                    ELSE upper(regexp_replace(p.name, '(\w)\w*', '\1.', 'g')) END), p.uid,
         d.detained_on DESC NULLS LAST, d.id
