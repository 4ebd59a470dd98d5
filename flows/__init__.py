"""Orchestration and I/O: Prefect flows, snapshot ingest, the warehouse and the command line."""

import os

# With no Prefect server configured, a run starts a temporary one; on a 2-core machine its first
# start (database migrations) takes well over Prefect's default 20 s.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")
# Polars' allocator (jemalloc) returns freed pages to the system from a background thread, 5 s after
# they are freed, instead of on the threads that free them: a run frees a bucket's frames and
# allocates the next one's at once (the history of 8 buckets at 1M contacts: 13.7 -> 12.0 s, system
# time halved, peak +8%). Only a process that sets it before Polars loads gets it: engage's do.
os.environ.setdefault("_RJEM_MALLOC_CONF", "background_thread:true,dirty_decay_ms:5000,muzzy_decay_ms:0")
