"""Exceptions raised by powdata.

Every error says what was expected, what was found and what to do next, and
subclasses the built-in a caller would naturally catch (``KeyError`` for an
unknown name, ``ValueError`` for bad data), so ``except KeyError`` keeps working.
"""

from __future__ import annotations


class PowdataError(Exception):
    """Base class of every error powdata raises on purpose."""


class ArgumentError(PowdataError, ValueError):
    """An argument powdata cannot act on: a bad backend, date, format or target file."""


class UnknownResourceError(PowdataError, KeyError):
    """A resource name that the data package does not hold."""

    def __str__(self) -> str:
        # KeyError.__str__ would wrap the message in quotes.
        return str(self.args[0]) if self.args else ""


class IntegrityError(PowdataError, ValueError):
    """A data file that does not match its descriptor (hash or size).

    ``rule`` says which check failed: ``"bytes"`` or ``"hash"``.
    """

    def __init__(self, message: str, rule: str = "hash") -> None:
        super().__init__(message)
        self.rule = rule


class UnsafePathError(PowdataError, ValueError):
    """A resource path that is absolute, remote or escapes the package folder."""


class PackageReadError(PowdataError, OSError):
    """A descriptor or data file that is missing, unreadable or malformed."""


class MissingExtraError(PowdataError, ImportError):
    """An optional dependency that a feature needs is not installed."""


class PackageWriteError(PowdataError, OSError):
    """A file that cannot be written (read-only folder, full disk); nothing was changed."""
