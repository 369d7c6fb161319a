# Two commands: `make run` (install + start the app), `make test` (install + every test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
ADDRESS ?= localhost

.PHONY: run test lint bench schema clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(VENV)/.installed $@

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	touch $(VENV)/.installed $(VENV)/.installed-test $@

# Two malloc arenas: each session's script runs in a thread of its own, and glibc's arena per
# thread kept what sessions freed (advisor/evidence/allocator.py says more; the app sets the
# same limit itself when started another way, but only for threads started after it).
# HOSTS: the names a team reaches the app by, beside this machine's own (DNS rebinding guard).
HOSTS ?=
HOST_FLAGS := $(foreach h,localhost 127.0.0.1 ::1 $(HOSTS),--server.allowedHosts $(h))

run: $(VENV)/.installed
	MALLOC_ARENA_MAX=2 $(BIN)/streamlit run streamlit_app.py --server.port $(PORT) \
		--server.address $(ADDRESS) $(HOST_FLAGS)

test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(VENV)/.installed-bench
	$(BIN)/python -m pytest benchmarks --benchmark-only -p no:cacheprovider
	$(BIN)/python -m pytest benchmarks/test_ratios.py benchmarks/test_bench_evidence.py \
		benchmarks/test_bench_evidence_10m.py benchmarks/test_bench_pull.py \
		benchmarks/test_bench_evidence_page.py benchmarks/test_bench_report.py \
		benchmarks/test_bench_memory.py benchmarks/test_bench_load.py \
		benchmarks/test_bench_roi.py::test_peak_memory_under_500_mb -q -s \
		-p no:cacheprovider  # --benchmark-only above skips what takes no benchmark fixture

schema: $(VENV)/.installed
	$(BIN)/python -m advisor catalog schema > catalog/schema.json
	$(BIN)/python -m advisor schema evidence > advisor/evidence/evidence.schema.json

clean:
	rm -rf $(VENV) .pytest_cache .benchmarks
