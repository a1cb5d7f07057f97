#!/bin/sh
# Peak RSS of two hostile imports (issue 11), through the real CLI, each run once on a fresh
# database: one row holding a 5 MB field, and 1,000,000 bad rows (14 MB). Run from the repo:
#   sh bench/hostile-rss.sh            (needs PostgreSQL on 127.0.0.1:5432, GNU time)
# Prints peak RSS (GNU time's "Maximum resident set size") and the rejects file's size.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA="$ROOT/bench/data/hostile"
DB=cet_bench_hostile
SERVER=${BENCH_PG_SERVER:-postgresql://127.0.0.1:5432}
mkdir -p "$DATA"
export DATABASE_URL="$SERVER/$DB" OUTBOX_DIR="$ROOT/bench/out/outbox" QUEUE_PREFIX="cetbenchhostile$$" LOG_LEVEL=warn
CLI="$ROOT/bin/cet-uploader.js"
# The project's Node 24 (the `node` devDependency), not whatever node is first on PATH.
PATH="$ROOT/node_modules/.bin:$PATH"
node -e "
const fs = require('node:fs');
fs.writeFileSync('$DATA/field.csv', 'goc_number,surname,forenames,profession,specialties,registered_from,registered_to\n01-20001,' + 'x'.repeat(5 * 1024 * 1024) + ',Jo,optometrist,,2015-01-01,\n');
const out = fs.openSync('$DATA/bad-rows.csv', 'w');
fs.writeSync(out, 'provider_ref,goc_number,event_ref,completed_at\n');
let chunk = '';
for (let i = 0; i < 1000000; i++) {
  chunk += '-' + String(i).padStart(6, '0') + ',x,y,z\n';
  if (chunk.length > 1 << 20) { fs.writeSync(out, chunk); chunk = ''; }
}
fs.writeSync(out, chunk);
fs.closeSync(out);
"
psql "$SERVER/postgres" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null
"$CLI" migrate >/dev/null
"$CLI" cycle add 2019-2021 --first-day 2019-01-01 --last-day 2021-12-31 --cutoff 2021-12-30T12:00 >/dev/null
measure() {
  label=$1; shift
  /usr/bin/time -v nice -n 10 "$CLI" "$@" --now 2022-01-01T00:00:00Z >/dev/null 2>"$DATA/time.txt" || true
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$DATA/time.txt")
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$DATA/time.txt")
  echo "$label: peak RSS $((rss / 1024)) MB, wall $wall, input $(stat -c %s "$3") bytes, rejects file $(stat -c %s "$3.rejects.csv") bytes"
}
measure "one 5 MB field" import registrants "$DATA/field.csv"
measure "1,000,000 bad rows" import completions "$DATA/bad-rows.csv"
psql "$SERVER/postgres" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null
