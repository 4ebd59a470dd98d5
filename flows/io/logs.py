"""Logging that goes to Prefect inside a flow or task run, and to the standard logger outside one."""

import logging

from prefect import get_run_logger
from prefect.exceptions import MissingContextError


def run_logger() -> logging.Logger | logging.LoggerAdapter:
    """The current Prefect run's logger, or the `engage` logger outside a run."""
    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger("engage")
