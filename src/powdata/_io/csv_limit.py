"""The one place that sets the csv module's field limit, for one read at a time.

`csv.field_size_limit` is process-wide: another library in the process (or an
earlier read) may have raised or lowered it, so a reader that relied on the
default would accept a megabyte cell in one process and refuse it in another.
Each reader of powdata states its own limit here, and it is put back after.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager

LIST_FIELD_BYTES = 128 * 1024
"""The largest cell of a maintainers' list (the texts' index, not-data.csv): csv's own default."""


@contextmanager
def field_limit(limit: int) -> Iterator[None]:
    """Read CSV with at most ``limit`` characters a field inside the block, whatever the process had set."""
    before = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(before)
