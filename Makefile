# Two commands on a fresh machine (python3, pip and make): `make demo` and `make test`.
# Everything else is installed into the project from the lock file.
PYTHON ?= python3
TOOLS := .tools
UV := $(TOOLS)/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv

.PHONY: demo test lint bench-scores bench-history bench-run bench-keys bench-dask bench-suggest soak clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==0.13.8

.venv/.synced: $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

demo: .venv/.synced
	.venv/bin/engage demo

test: .venv/.synced
	.venv/bin/pytest

# ruff (lint and format) and mypy (strict on transforms/), configured in pyproject.toml.
lint: .venv/.synced
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy

bench-scores: .venv/.synced
	.venv/bin/python -m benchmarks.scores $(ARGS)

bench-history: .venv/.synced
	.venv/bin/python -m benchmarks.history $(ARGS)

# `engage run` end to end on a generated snapshot: stage seconds, peak RSS, ratio to a bare copy.
bench-run: .venv/.synced
	.venv/bin/python -m benchmarks.run $(ARGS)

# The events' duplicate-key pass three ways (engage's key hashes by partition, Polars streaming, DuckDB with a memory limit).
bench-keys: .venv/.synced
	.venv/bin/python -m benchmarks.key_pass $(ARGS)

# `engage run --dask` on local clusters of 1 and 2 workers: wall time, worker peaks, time in tasks, bytes moved.
bench-dask: .venv/.synced
	.venv/bin/python -m benchmarks.on_dask $(ARGS)

# `engage scores suggest` and `scores evaluate` on a generated snapshot: time, peak memory, AUC and lift.
bench-suggest: .venv/.synced
	.venv/bin/python -m benchmarks.transitions $(ARGS)

# Property tests with 2000 examples each instead of CI's 30 (a few minutes).
soak: .venv/.synced
	HYPOTHESIS_PROFILE=soak ENGAGE_KILLS=40 .venv/bin/pytest -q tests/transforms tests/flows/test_ingest_properties.py tests/flows/test_ingest_buckets.py tests/flows/test_faults.py

clean:
	rm -rf data/demo data/lake data/warehouse.duckdb data/warehouse_store data/.warehouse.duckdb.lock
