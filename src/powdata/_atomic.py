"""The one writer now lives in `powdata._io.atomic`; this name is kept for code that imports it from here."""

from powdata._io.atomic import (
    atomic_file,
    atomic_folder,
    check_output,
    output_bytes,
    write_bytes_atomic,
    write_if_changed,
    write_text_atomic,
)

__all__ = [
    "atomic_file",
    "atomic_folder",
    "check_output",
    "output_bytes",
    "write_bytes_atomic",
    "write_if_changed",
    "write_text_atomic",
]
