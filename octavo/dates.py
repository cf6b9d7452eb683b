"""The environment's SOURCE_DATE_EPOCH -> the build date: one reading of it for the build, the no-op check and
releases (standard library only, so that the no-op check imports no engine)."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager

from octavo.errors import UsageError

#: The last second of 9999-12-31 UTC: a later date has no four-digit year (and no ISO 8601 form).
MAX_EPOCH = 253402300799
#: ASCII digits only: str.isdigit() also accepts '²' and other digits int() refuses.
_SECONDS = re.compile(r"[0-9]+")


def read_source_date_epoch() -> int | None:
    """SOURCE_DATE_EPOCH in seconds, or None when it is not set (or blank); a UsageError when it is not a
    number of seconds that a date can hold."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return None
    if not _SECONDS.fullmatch(epoch) or int(epoch) > MAX_EPOCH:
        raise UsageError(f"SOURCE_DATE_EPOCH must be a number of seconds since 1970-01-01 UTC, not '{epoch}'")
    return int(epoch)


def utc(seconds: int) -> dt.datetime:
    """Seconds since 1970-01-01 UTC -> an aware datetime in UTC."""
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc)


@contextmanager
def source_date_epoch(when: dt.datetime) -> Iterator[None]:
    """Set SOURCE_DATE_EPOCH while writing: fontTools stamps subset fonts with it instead of the clock."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(when.timestamp()))
    try:
        yield
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous
