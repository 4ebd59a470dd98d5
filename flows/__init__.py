"""Orchestration and I/O: Prefect flows, snapshot ingest, the warehouse and the command line."""

import os

# With no Prefect server configured, a run starts a temporary one; on a 2-core machine its first
# start (database migrations) takes well over Prefect's default 20 s.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")
