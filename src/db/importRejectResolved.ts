// When a row refused at import counts as resolved: the same key was imported successfully at or
// after the import that refused it (by the same kind's table and its write time, which is the
// importing run's --now). A later import that changed nothing (the row already stood as given)
// leaves an earlier refusal standing; confirmations keep no write time, so for them the
// confirmation existing is enough. Used by status (not counted), report rejects and trace.

/** A boolean SQL expression over `j` (import_reject) joined to `r` (import_run). */
export const REJECT_RESOLVED_SQL = `CASE r.kind
    WHEN 'registrants' THEN EXISTS (SELECT 1 FROM registrant x WHERE x.goc_number = j.row_key AND x.updated_at >= r.started_at)
    WHEN 'events' THEN EXISTS (SELECT 1 FROM event x WHERE x.event_ref = j.row_key AND x.updated_at >= r.started_at)
    WHEN 'completions' THEN EXISTS (SELECT 1 FROM completion x WHERE x.provider_ref = j.row_key AND x.changed_at >= r.started_at)
    WHEN 'confirmations' THEN EXISTS (
      SELECT 1 FROM confirmation x JOIN completion c ON c.id = x.completion_id
       WHERE x.party = substring(j.row_key FROM '[^/]*$')
         AND c.provider_ref = left(j.row_key, length(j.row_key) - length(substring(j.row_key FROM '[^/]*$')) - 1))
    ELSE false
  END`;
