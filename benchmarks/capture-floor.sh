#!/usr/bin/env bash
# The floor of trigger capture in plain SQL, without PocketSync: what SQLite itself charges for each thing the device
# must write per captured insert, as a ratio of the same inserts into a bare table, in the same run (sqlite3 shell).
#
#   benchmarks/capture-floor.sh            # 200,000 rows of about 90 bytes in one transaction, three rounds
#   N=50000 ROUNDS=5 benchmarks/capture-floor.sh
#
# Variants (each a fresh WAL file; the table has a TEXT primary key and the ps_global_id unique index):
#   journal          an AFTER INSERT trigger writes one journal row (what PocketSync's trigger does)
#   id in trigger    the trigger also gives the row an id: an UPDATE of the row just inserted and an index entry,
#                    time-ordered (ids of rowid-keyed tables) or random (ids derived from natural keys by hashing)
#   journal + seal   the journal, then a seal in plain SQL: ids, one change-log row with the row's JSON image, the
#                    journal emptied (PocketSync's seal does this from Java, plus HLCs and checks)
# Figures are reported in docs/benchmarks.md ("Capture: what the app's writes cost").
set -euo pipefail
N=${N:-200000}
ROUNDS=${ROUNDS:-3}
command -v sqlite3 >/dev/null || { echo "capture-floor: sqlite3 is needed" >&2; exit 1; }
dir=$(mktemp -d -t capture-floor.XXXXXX)
trap 'rm -rf "$dir"' EXIT

setup="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
CREATE TABLE t (id TEXT PRIMARY KEY, a TEXT, b INTEGER, c REAL, ps_global_id TEXT);
CREATE UNIQUE INDEX t_gid ON t (ps_global_id);
CREATE TABLE journal (id INTEGER PRIMARY KEY, tbl TEXT NOT NULL, op INTEGER NOT NULL, rid INTEGER, gid TEXT, mask INTEGER,
  wall REAL);
CREATE TABLE changes (seq INTEGER PRIMARY KEY, change_id TEXT NOT NULL UNIQUE, tbl TEXT, gid TEXT, op INTEGER, hlc INTEGER,
  row_json TEXT, state TEXT);
CREATE INDEX changes_state ON changes (state, seq);"
inserts="BEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
INSERT INTO t (id, a, b, c) SELECT printf('row-%08d', i), printf('some text value number %d for the row', i), i * 7, i * 0.5
FROM n; COMMIT;"
journal="INSERT INTO journal (tbl, op, rid, gid, mask, wall) VALUES ('t', 1, NEW.rowid, NEW.ps_global_id, -1, julianday('now'));"
ordered="printf('%012x', 1700000000000 + rowid) || 'abcdef'"
random="'n' || lower(hex(randomblob(16)))"
trigger() { echo "CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN $1 $journal END;"; }
seal() {
  echo "BEGIN; UPDATE t SET ps_global_id = $1 WHERE rowid IN (SELECT rid FROM journal);
  INSERT INTO changes (change_id, tbl, gid, op, hlc, row_json, state) SELECT 'd-' || j.id, j.tbl, t.ps_global_id, j.op, j.id,
    json_object('id', t.id, 'a', t.a, 'b', t.b, 'c', t.c), 'pending' FROM journal j JOIN t ON t.rowid = j.rid ORDER BY j.id;
  DELETE FROM journal; COMMIT;"
}
# seconds the statements of $2 took on file $1 (sqlite3's own timer, so process start-up is not counted)
timed() { printf '.timer on\n%s\n' "$2" | sqlite3 "$dir/$1" 2>&1 | awk '/Run Time/ {s += $4} END {printf "%.3f", s}'; }
fresh() { rm -f "$dir/$1"*; sqlite3 "$dir/$1" "$setup $2" >/dev/null; }

echo "capture floor: $N rows in one transaction, sqlite3 $(sqlite3 --version | cut -d' ' -f1), load $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$ROUNDS"); do
  fresh bare ""; fresh journal "$(trigger "")"; fresh ordered "$(trigger "UPDATE t SET ps_global_id = $ordered WHERE rowid = NEW.rowid;")"
  fresh random "$(trigger "UPDATE t SET ps_global_id = $random WHERE rowid = NEW.rowid;")"
  fresh seal_o "$(trigger "")"; fresh seal_r "$(trigger "")"
  bare=$(timed bare "$inserts"); j=$(timed journal "$inserts"); o=$(timed ordered "$inserts"); r=$(timed random "$inserts")
  so=$(timed seal_o "$inserts"); so=$(awk -v a="$so" -v b="$(timed seal_o "$(seal "$ordered")")" 'BEGIN {print a + b}')
  sr=$(timed seal_r "$inserts"); sr=$(awk -v a="$sr" -v b="$(timed seal_r "$(seal "$random")")" 'BEGIN {print a + b}')
  awk -v n="$N" -v bare="$bare" -v j="$j" -v o="$o" -v r="$r" -v so="$so" -v sr="$sr" -v round="$round" 'BEGIN {
    printf "round %d: bare %.0fk rows/s | journal %.2fx | id in trigger: time-ordered %.2fx, random %.2fx |", round, n / bare / 1000,
      bare / j, bare / o, bare / r
    printf " journal + seal: time-ordered ids %.2fx, random ids %.2fx\n", bare / so, bare / sr }'
done
