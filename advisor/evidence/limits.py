"""The bounds on evidence work, in one place: the uploader, the server's configuration
(`.streamlit/config.toml`, `server.maxUploadSize`) and the command line use the same numbers,
and a test keeps them equal.

Sized for real exports: a year of a 100-engineer organisation's Jira history as a
transitions CSV is a few tens of MB; the benchmark's million transitions are 99 MB.
"""

from __future__ import annotations

MB = 1024 * 1024
MAX_FILE_MB = 100  # any one export file (CSV or JSON), in the app and the command line
MAX_FILE_BYTES = MAX_FILE_MB * MB
MAX_TOTAL_MB = 200  # every file of one measurement together (a folder included)
MAX_TOTAL_BYTES = MAX_TOTAL_MB * MB
MAX_JSON_MB = 50  # a Jira JSON file is parsed whole, so it holds about ten times its size
MAX_JSON_BYTES = MAX_JSON_MB * MB
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
    f"Each file up to {MAX_FILE_MB} MB (a Jira JSON file up to {MAX_JSON_MB} MB, as it is "
    f"read whole), {MAX_TOTAL_MB} MB in all. Measuring needs about five times the size of "
    "the work-items file in memory: about 500 MB for a million transitions."
)
