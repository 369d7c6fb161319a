"""The store under faults: unreachable (nothing of its address or credentials said), opened
for the first time by several processes at once, a full disk, and control characters in the
text it holds shown escaped."""

import errno
import logging
import multiprocessing
import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from advisor.cli import main
from advisor.errors import ScenarioError
from advisor.scenario import load_scenario_file
from advisor.store import Store
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "scenarios" / "scaleup.yaml"
PG = os.environ.get("PLATFORM_ADVISOR_TEST_PG")


def test_an_unreachable_store_says_so_and_nothing_of_its_address(caplog):
    url = "postgresql+psycopg://ana:s3cret@127.0.0.1:1/plans?password=p4ss&connect_timeout=2"
    with (
        caplog.at_level(logging.WARNING, logger="advisor.store"),
        pytest.raises(ScenarioError) as caught,
    ):
        Store(url)
    said = str(caught.value.problems[0])
    assert "the scenario store is unreachable" in said
    for secret in ("s3cret", "p4ss", "127.0.0.1", "ana", "plans"):
        assert secret not in said
    logged = caplog.text
    assert "unreachable" in logged and "s3cret" not in logged and "p4ss" not in logged


def test_a_store_in_a_folder_that_does_not_exist_names_no_path(tmp_path):
    with pytest.raises(ScenarioError) as caught:
        Store(f"sqlite:///{tmp_path / 'no' / 'such' / 's.db'}")
    assert str(tmp_path) not in str(caught.value.problems[0])


def _open(url: str) -> str:
    try:
        Store(url)
        return "ok"
    except Exception as exc:  # reported back to the test
        return f"{type(exc).__name__}: {exc}"


def _open_at_once(url: str, processes: int = 8) -> list[str]:
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        return pool.map(_open, [url] * processes)


def test_eight_processes_opening_a_new_sqlite_store_at_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    assert _open_at_once(url) == ["ok"] * 8
    with Store(url).engine.connect() as conn:
        applied = list(conn.scalars(sa.text("SELECT version FROM schema_migrations ORDER BY 1")))
    assert applied == [1, 2, 3, 4]


@pytest.mark.skipif(
    not PG, reason="no PostgreSQL server: set PLATFORM_ADVISOR_TEST_PG (CI starts one)"
)
def test_eight_processes_opening_a_new_postgresql_store_at_once():
    schema = f"fresh_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG}?options=-csearch_path%3D{schema}"
    try:
        assert _open_at_once(url) == ["ok"] * 8
        with Store(url).engine.connect() as conn:
            applied = list(conn.scalars(sa.text("SELECT version FROM schema_migrations")))
        assert sorted(applied) == [1, 2, 3, 4]
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))


def test_a_full_disk_is_named_and_leaves_no_version(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'full.db'}")
    s = load_scenario_file(EXAMPLE)
    store.save(s)

    def no_room(connection, _record):  # the file may not grow a page more: SQLITE_FULL
        cursor = connection.cursor()
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {pages}")
        cursor.close()

    sa.event.listen(store.engine, "connect", no_room)
    store.engine.dispose()
    big = s.model_copy(update={"notes": "x" * 19_000})
    with pytest.raises(ScenarioError, match="disk holding the scenario store is full"):
        for _ in range(20):
            store.save(big)
    sa.event.remove(store.engine, "connect", no_room)
    store.engine.dispose()
    kept = store.versions(s.name)
    for row in kept:
        assert store.load(s.name, row["version"]).name == s.name  # every version whole


def test_a_report_to_a_full_disk_leaves_no_file(tmp_path, monkeypatch, capsys):
    out = tmp_path / "r.html"

    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full)
    assert main(["report", str(EXAMPLE), "--out", str(out)]) == 2
    assert "was not written: the disk is full" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_control_characters_in_stored_names_are_shown_escaped(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 's.db'}"
    s = load_scenario_file(EXAMPLE)
    forged = s.model_copy(update={"name": "Payments\x1b[2K\rversion 9 approved", "team": "A\x07"})
    Store(url).save(forged)
    assert main(["scenario", "list", "--store", url]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\r" not in out and "\x07" not in out
    assert "Payments\\x1b[2K\\x0dversion 9 approved" in out and "A\\x07" in out
    assert main(["scenario", "history", forged.name, "--store", url]) == 0
    assert "\x1b" not in capsys.readouterr().out


_SAVER = """
import sys
from advisor.scenario import load_scenario_file
from advisor.store import Store
store = Store(sys.argv[1])
scenario = load_scenario_file(sys.argv[2])
print("ready", flush=True)
while True:
    store.save(scenario)
"""


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_save_killed_at_any_moment_leaves_no_half_written_version(tmp_path, kind):
    """kill -9 a process saving in a loop, six times at different moments: every version the
    store holds reads back whole, and the numbers run on without a gap."""
    import random
    import signal
    import subprocess
    import sys
    import time

    if kind == "postgresql":
        if not PG:
            pytest.skip("no PostgreSQL server: set PLATFORM_ADVISOR_TEST_PG (CI starts one)")
        url = PG
    else:
        url = f"sqlite:///{tmp_path / 'killed.db'}"
    scenario = load_scenario_file(EXAMPLE)
    name = f"killed {uuid.uuid4().hex[:8]}"
    path = tmp_path / "s.yaml"
    path.write_text(EXAMPLE.read_text().replace(scenario.name, name, 1))
    Store(url)  # the schema exists before the first kill
    pace = random.Random(7)
    for _ in range(6):
        proc = subprocess.Popen(
            [sys.executable, "-c", _SAVER, url, str(path)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(pace.uniform(0.05, 0.4))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    store = Store(url)
    numbers = [v["version"] for v in store.versions(name)]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) > 0
    for number in numbers:
        assert store.load(name, number).name == name


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://ana:s3cret@127.0.0.1:notaport/plans",  # a typo in the port
        "mysql://ana:s3cret@127.0.0.1/plans",  # a database whose driver is not installed
    ],
)
def test_an_address_that_does_not_work_is_unreachable_not_a_crash(url, caplog, capsys):
    with caplog.at_level(logging.WARNING, logger="advisor.store"), pytest.raises(ScenarioError):
        Store(url)
    assert "s3cret" not in caplog.text
    assert main(["scenario", "list", "--store", url]) == 2
    said = capsys.readouterr().err
    assert "the scenario store is unreachable" in said and "s3cret" not in said


def test_the_log_hides_a_query_password_but_not_a_timeout(caplog):
    url = "postgresql+psycopg://ana@127.0.0.1:1/plans?password=p4ss&connect_timeout=1"
    with caplog.at_level(logging.WARNING, logger="advisor.store"), pytest.raises(ScenarioError):
        Store(url)
    assert "p4ss" not in caplog.text and "port 1 failed" in caplog.text
