"""Source URLs (`postgresql://user@host:port/db?schema=crm`): recognised, split, and kept free of
passwords. Light on purpose: the command line checks its arguments with these before anything heavy
is imported."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from flows.io.errors import SnapshotError

SCHEMES = ("postgresql://", "postgres://")
SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def is_source_url(text: str) -> bool:
    """Whether a snapshot argument names a database source rather than a folder."""
    return text.startswith(SCHEMES)


def split_source(url: str) -> tuple[str, str]:
    """(connection URL, schema) of a source URL; the schema is checked as a plain identifier, since it
    is spliced into the queries as a quoted name."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    schema = query.pop("schema", "public")
    if not SCHEMA_NAME.match(schema):
        raise SnapshotError(f"{redacted(url)}: schema {schema!r} is not a plain lower-case identifier")
    return urlunsplit(parts._replace(query=urlencode(query))), schema


def _without(url: str, replacement: str | None) -> tuple[str, str | None]:
    """`url` with its password (in the address or as `password=` in the query) replaced, or removed
    when `replacement` is None; and the password, None when it had none."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    password = (unquote(parts.password) if parts.password is not None else None) or next(
        (v for k, v in query if k.lower() == "password"), None
    )
    netloc = parts.netloc
    if parts.password is not None:
        user, host = netloc.rsplit("@", 1)
        netloc = f"{user.split(':', 1)[0]}{'' if replacement is None else ':' + replacement}@{host}"
    kept = [(k, replacement or "") for k, v in query if k.lower() == "password"] if replacement is not None else []
    query = [(k, v) for k, v in query if k.lower() != "password"] + kept
    return urlunsplit(parts._replace(netloc=netloc, query=urlencode(query, safe="*"))), password


def redacted(url: str) -> str:
    """The URL with its password masked, for logs and errors."""
    masked, password = _without(url, "***")
    return masked if password is not None else url


def without_password(url: str) -> tuple[str, str | None]:
    """The URL without its password, and the password (None when it has none): a password travels
    in PGPASSWORD, never in a flow run's parameters, which Prefect stores."""
    return _without(url, None)
