"""Errors of reading inputs that stop a run with one clear line."""


class SnapshotError(Exception):
    """A snapshot that cannot be read at all: the message names the file and the reason."""
