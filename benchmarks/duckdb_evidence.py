"""The evidence command's core figures as SQL over the transitions CSV, run by DuckDB: the
yardstick of benchmarks/test_bench_evidence_10m.py, and the start of the queries a warehouse
that already holds the Jira data would run (the definitions are advisor/evidence/prepare.py's).

    python benchmarks/duckdb_evidence.py TRANSITIONS.csv RULES.json  ->  JSON on stdout

RULES.json maps each status to {"stage", "active"} (`statuses.rules` of `evidence --json`).
Items whose history begins part-way through (prepare.py's `partial`) are not handled here:
the benchmark's file has none.
"""

from __future__ import annotations

import json
import sys

WORK_STAGES = ("ideation", "development", "deployment", "operations", "support")

SQL = """
CREATE TEMP TABLE t AS
SELECT key, to_status, changed_at AS ts, created_at AS created
FROM read_csv(?, header = true, columns = {
    'key': 'VARCHAR', 'type': 'VARCHAR', 'team': 'VARCHAR', 'from_status': 'VARCHAR',
    'to_status': 'VARCHAR', 'changed_at': 'TIMESTAMPTZ', 'created_at': 'TIMESTAMPTZ'});

CREATE TEMP TABLE win AS
SELECT least(min(ts), min(created)) AS w_start, greatest(max(ts), max(created)) AS w_end FROM t;

-- One stay per transition: in its to_status until the item's next transition (or the
-- window's end), with the status's stage and active flag.
CREATE TEMP TABLE stays AS
SELECT t.key, t.to_status AS status, m.stage, m.active, t.ts,
       coalesce(lead(t.ts) OVER w, (SELECT w_end FROM win)) AS until,
       row_number() OVER w AS rn
FROM t JOIN rules m ON m.status = t.to_status
WINDOW w AS (PARTITION BY t.key ORDER BY t.ts);

-- Start: the first entry into an active status of a work stage. Done: the first row of the
-- item's final run of done statuses.
CREATE TEMP TABLE items AS
WITH last_open AS (
    SELECT key,
           min(ts) FILTER (WHERE active AND stage IN (SELECT stage FROM work)) AS start,
           coalesce(max(rn) FILTER (WHERE stage <> 'done'), 0) AS last_not_done
    FROM stays GROUP BY key
)
SELECT l.key, l.start, min(s.ts) FILTER (WHERE s.rn > l.last_not_done) AS done
FROM last_open l JOIN stays s USING (key)
GROUP BY l.key, l.start;

CREATE TEMP TABLE finished AS
SELECT key, start, done FROM items, win WHERE done BETWEEN w_start AND w_end;
"""

FIGURES = {
    "items": "SELECT count(*) FROM items",
    "transitions": "SELECT count(*) FROM t",
    "finished": "SELECT count(*) FROM finished",
    "flow_time_median_days": """
        SELECT median(epoch_ns(done - start) / 86400e9) FROM finished WHERE start IS NOT NULL
    """,
    "time_in_status": """
        SELECT status, count(*), median(epoch_ns(until - ts) / 86400e9),
               sum(epoch_ns(until - ts) / 86400e9)
        FROM stays GROUP BY status ORDER BY status
    """,
    "waiting_by_stage": """
        SELECT s.stage, sum(epoch_ns(least(s.until, f.done) - greatest(s.ts, f.start)) / 86400e9)
        FROM stays s JOIN finished f USING (key)
        WHERE NOT s.active AND s.stage IN (SELECT stage FROM work) AND f.start IS NOT NULL
          AND least(s.until, f.done) > greatest(s.ts, f.start)
        GROUP BY s.stage ORDER BY s.stage
    """,
    "weekly_finished": """
        SELECT strftime(date_trunc('week', done AT TIME ZONE 'UTC'), '%Y-%m-%d'), count(*)
        FROM finished GROUP BY 1 ORDER BY 1
    """,
}


def figures(csv: str, rules: dict) -> dict:
    """Every figure of FIGURES from the file, with the status rules given."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("CREATE TEMP TABLE rules (status VARCHAR, stage VARCHAR, active BOOLEAN)")
    con.executemany(
        "INSERT INTO rules VALUES (?, ?, ?)",
        [(s, r["stage"], bool(r["active"])) for s, r in rules.items()],
    )
    con.execute("CREATE TEMP TABLE work AS SELECT unnest(?) AS stage", [list(WORK_STAGES)])
    statements = [s for s in SQL.split(";") if s.strip()]
    con.execute(statements[0], [csv])
    for statement in statements[1:]:
        con.execute(statement)
    out = {}
    for name, query in FIGURES.items():
        rows = con.execute(query).fetchall()
        out[name] = rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else rows
    waiting = dict(out["waiting_by_stage"])
    total = sum(waiting.values())
    out["bottleneck_weights"] = {s: v / total for s, v in waiting.items()} if total else {}
    out["bottleneck_top"] = max(waiting, key=waiting.get) if waiting else None
    return out


if __name__ == "__main__":
    with open(sys.argv[2]) as handle:
        given = json.load(handle)
    json.dump(figures(sys.argv[1], given), sys.stdout, default=str)
