/**
 * Every registrant (id, goc_number, surname, surname_no_controls, profession) with its
 * registration spans as one multirange of days, `spans` (NULL when it has none; a span without
 * an end is open), to join as `r` and test with `r.spans @> <date>`. One hash join of the
 * registrants instead of a join of the spans on a date condition checked per row, for which the
 * planner had hashed the million rows of the other side (the import's check; the claim of a
 * large batch).
 */
export const REGISTRANTS_WITH_SPANS = `(
    SELECT r0.id, r0.goc_number, r0.surname, r0.surname_no_controls, r0.profession, sp.spans
      FROM registrant r0
      LEFT JOIN (
        SELECT registrant_id, range_agg(daterange(registered_from, registered_to, '[]')) AS spans
          FROM registration_span GROUP BY registrant_id) sp ON sp.registrant_id = r0.id)`;
