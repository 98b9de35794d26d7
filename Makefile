# Meetup: two commands, `make run` and `make test`, on a fresh machine with Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.runtime-installed
TEST_STAMP := $(VENV)/.test-installed
SCALE_STAMP := $(VENV)/.scale-installed
PO := meetup/translations/nl/LC_MESSAGES/messages.po
MO := $(PO:.po=.mo)

.PHONY: run test test-fast test-scale scale-deps system-deps translations extract-messages bench \
	bench-scale clean
.PHONY: venue

# MEETUP_SCALE=1 make run: also install the scale-out extras (PostgreSQL driver, Redis client).
run: $(RUNTIME_STAMP) $(MO) $(if $(filter 1,$(MEETUP_SCALE)),$(SCALE_STAMP))
	$(BIN)/meetup demo

# A laptop at a venue without internet (docs/deploy.md): listens on its network address, the QR
# code points there, rolling backups also to a USB stick, e.g.
#   make venue VENUE_ARGS="--backup-dir /media/$$USER/STICK --port 8000"
venue: $(RUNTIME_STAMP) $(MO)
	$(BIN)/meetup venue $(VENUE_ARGS)

# The scale-out extras (`.[scale]`: psycopg, redis) for workers on PostgreSQL + Redis; see
# docs/deploy.md.
scale-deps: $(SCALE_STAMP)

$(SCALE_STAMP): pyproject.toml $(RUNTIME_STAMP)
	$(BIN)/python -m pip install -q -e '.[scale]'
	touch $@

# The domain and real-time tests that run a second time on PostgreSQL (the scale-out database).
POSTGRES_TESTS := tests/test_realtime_participant.py tests/test_realtime_organiser.py \
	tests/test_snapshot.py tests/test_board.py tests/test_agreements.py tests/test_tables.py \
	tests/test_phases.py tests/test_operations.py tests/test_report_data.py \
	tests/test_followup.py tests/test_join.py tests/test_services_meetups.py \
	tests/test_security_hostile_input.py \
	tests/test_emit_after_commit.py tests/test_realtime_group_commit.py tests/test_note_batch.py \
	tests/test_mail_outbox.py tests/test_followup_board.py
POSTGRES_TESTS += tests/test_note_vectors.py
# The Terugblik (issue 25): matching by e-mail, stepping, updates over the socket.
POSTGRES_TESTS += tests/test_retrospective.py tests/test_realtime_retrospective.py
# The demo's earlier evening, built through the evening's services.
POSTGRES_TESTS += tests/test_demo.py

# The suite runs in TEST_WORKERS processes (pytest-xdist), one test file per process at a time:
# most of a browser or server test is waiting for another process, so two workers on two cores
# finish in a little over half the time of one. The scale-out tests run on their own after
# that: they share one cluster (PostgreSQL, Redis, three workers, nginx) and measure how
# phones spread over it, which a second test run beside them would skew.
TEST_WORKERS ?= 2
XDIST = -n $(TEST_WORKERS) --dist loadfile

test: $(TEST_STAMP) $(MO) system-deps
	$(BIN)/python -m pytest -p no:cacheprovider $(XDIST) -m "not scale" $(PYTEST_ARGS)
	$(BIN)/python -m pytest -p no:cacheprovider tests/scale $(PYTEST_ARGS)
	node --test tests/js/
	MEETUP_TEST_DATABASE=postgres $(BIN)/python -m pytest -p no:cacheprovider $(XDIST) $(POSTGRES_TESTS)

# Only the scale-out tests: three workers on PostgreSQL + Redis behind nginx (tests/scale/).
test-scale: $(TEST_STAMP) $(MO) system-deps
	$(BIN)/python -m pytest -p no:cacheprovider tests/scale $(PYTEST_ARGS)

# The suite without browser and multi-process server tests, for quick local loops.
# The page logic (outbox, ordering, drafts, form guard) runs under node's own test runner.
test-fast: $(TEST_STAMP) $(MO)
	$(BIN)/python -m pytest -p no:cacheprovider -m "not browser and not server and not scale" $(PYTEST_ARGS)
	node --test tests/js/

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(RUNTIME_STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(TEST_STAMP): pyproject.toml $(RUNTIME_STAMP)
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

# Chromium, fonts, poppler, PostgreSQL and Redis from Debian, installed when missing.
system-deps:
	@sh scripts/install-system-deps.sh

$(MO): $(PO) | $(RUNTIME_STAMP)
	$(BIN)/pybabel compile -d meetup/translations -D messages --statistics

translations: $(MO)

# Refresh the catalogue after adding UI strings; then translate the new entries in $(PO).
extract-messages: $(RUNTIME_STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o meetup/translations/messages.pot .
	$(BIN)/pybabel update -i meetup/translations/messages.pot -d meetup/translations -D messages --no-fuzzy-matching

# Speed and memory figures (printed, never asserted): see docs/performance.md. The report
# benchmark first; then 1,000 phones against the bare floor server and against meetup serve
# (BENCH_ARGS, e.g. "--sustained-seconds 10" for a quick run). The last line is the JSON.
# Then 300 phones joining from one address in 60 s with default settings (issue 21): its own
# JSON line, `{"join_storm": ...}`. Then a restart (kill -9) in a full evening: 1,000 phones,
# 10,000 notes, 200 phones writing; `{"restart": {"restart_resync_s": {p50, p95}, ...}}`.
bench: $(TEST_STAMP) $(MO)
	$(BIN)/python benchmarks/report_benchmark.py
	$(BIN)/python benchmarks/grouping_benchmark.py
	$(BIN)/python benchmarks/plenary_benchmark.py
	$(BIN)/python benchmarks/mail_benchmark.py
	$(BIN)/python benchmarks/series_overview_benchmark.py
	$(BIN)/python benchmarks/realtime_load.py --phones 1000 --with-mail 5000 $(BENCH_ARGS)
	$(BIN)/python benchmarks/join_storm.py --phones 300 --seconds 60
	$(BIN)/python benchmarks/restart_resync.py --phones 1000 --notes 10000 --writers 200

# The same realtime benchmark through nginx to 1, 3 and 4 `meetup serve` workers on PostgreSQL +
# Redis (started in temporary directories, all stopped at the end, also on Ctrl-C): 2,000
# phones, one JSON line per set-up (docs/performance.md, "Scale-out"). About 3 minutes on a
# quiet machine.
bench-scale: $(TEST_STAMP) $(MO) system-deps
	$(BIN)/python benchmarks/realtime_load.py --database postgres --workers 1 3 4 --phones 2000 \
		--rate 50 --sustained-seconds 20 --connect-timeout 120 $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache
