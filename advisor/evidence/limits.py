"""The bounds on evidence work, in one place.

Files of any size are read as long as the work fits the memory budget (budget.py): a
transitions CSV is read in batches into compact arrays, so what it needs grows with its rows,
not with its bytes. A Jira JSON file is parsed whole, so each has a size cap of its own; a
folder of them is read one file at a time and has none. The app's upload limit is a limit of
the app alone (`.streamlit/config.toml`, `server.maxUploadSize`, kept equal to UPLOAD_MB by a
test): a large organisation measures with the command line or a connector's folder.
"""

from __future__ import annotations

MB = 1024 * 1024
# The memory budget: the peak resident memory one measurement may use, the process's own
# (interpreter and libraries) included. The command line's --memory-mb, else the
# PLATFORM_ADVISOR_MEMORY_MB environment variable, else this, sets it.
MEMORY_BUDGET_MB = 1_024  # the 11-million-row benchmark fits (884 MiB)
MEMORY_ENV = "PLATFORM_ADVISOR_MEMORY_MB"
MIN_MEMORY_MB = 256  # a smaller budget holds the libraries and little else
BASE_MB = 250  # the interpreter, pandas, pyarrow and pydantic loaded, before any row
# Peak bytes per transition row, measured and rounded up: benchmarks/test_bench_evidence_10m.py,
# 11.4M rows sorted by item, peaked at 884 MiB, (884 - 250) MiB / 11.4M = 58.5 bytes; 64 leaves
# some room. A file out of item order needs a sort on top (not measured at that size).
BYTES_PER_ROW = 64
WHOLE_READ_FACTOR = 10  # a CSV read whole (deployments, incidents) as text: about 10x its size
UPLOAD_MB = 100  # the app's uploader and its server (maxUploadSize), per file
PAGE_FILES_MB = 200  # files a session holds in memory at once (the Connect panel's pulled
# files put in use on the Evidence page); the command line reads a pulled folder of any size
MAX_JSON_MB = 50  # a Jira JSON file is parsed whole, so it holds about ten times its size
MAX_JSON_BYTES = MAX_JSON_MB * MB
JSON_PARSE_FACTOR = 10  # the JSON file being parsed, as Python objects
JSON_ROWS_FACTOR = 1  # the status changes kept from all of them (an estimate, not measured)
BATCH_BYTES = 16 * MB  # a transitions CSV is read this many bytes at a time
SCAN_BYTES = 64 * MB  # a file is searched for a NUL byte this many bytes (mapped) at a time
MAX_SMALL_BYTES = 1_000_000  # a status map or a survey: small hand-made files
MAX_FILES = 2_000  # JSON files in a folder
MAX_COLUMNS = 200  # columns in a CSV header; an export needs a dozen
MAX_HEADER_BYTES = 65_536
MAX_TIME_CHARS = 64  # a longer cell is not a time, and is not parsed as one
MAX_GUESSED_FORMATS = 3  # date formats tried after ISO 8601, each on the whole column
MAX_ONE_BY_ONE = 20_000  # values parsed one at a time when no format fits them all
# Names in the data: a status and a type each get a rule (as many as a status map holds),
# a team its own figures. More is a column that holds something else (a title, a person).
MAX_STATUSES = 5_000  # distinct statuses in the work items: more are refused
MAX_TYPES = 1_000  # distinct issue types: more are refused
MAX_TEAMS = 1_000  # distinct teams with figures of their own: more, and none get them
# Pull requests: a year of a 100-engineer organisation is some 20,000 pull requests with a
# few reviews and commits each; more is not an export of one organisation's year.
MAX_PULLS = 200_000  # pull or merge requests in one measurement (all files together)
MAX_PULL_EVENTS = 2_000_000  # reviews, approvals, notes and commits of them all together
MAX_BOT_PATTERN = 200  # characters of the bot pattern (a regular expression)
MIN_INCIDENT_HOURS = 0.1  # time-linking incidents: six minutes to ten years, or no bound
MAX_INCIDENT_HOURS = 87_600.0
MEMORY_NOTE = (
    f"Here each file may be up to {UPLOAD_MB} MB (a Jira JSON file up to {MAX_JSON_MB} MB, as "
    "it is read whole): a limit of this page only. The command line (`python -m advisor "
    f"evidence`) reads files of any size, within its memory budget ({MEMORY_BUDGET_MB:,} MB "
    "unless raised with --memory-mb): 11 million transitions took 0.9 GB."
)
