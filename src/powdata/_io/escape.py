"""Escaping of untrusted text for messages, terminals and Markdown: the one escaper."""

from __future__ import annotations

import re
import reprlib
from typing import Any

MAX_SHOWN = 80
"""The most characters of an untrusted value quoted in a message."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother = 3, MAX_SHOWN, MAX_SHOWN


def shown(value: Any, limit: int = MAX_SHOWN) -> str:
    """Quote an untrusted value for a message: control characters escaped, at most ``limit`` characters.

    A resource name or cell may hold ANSI escapes that would rewrite the user's
    terminal, or a megabyte of text; neither reaches the terminal raw.
    """
    text = repr(value[: limit * 2]) if isinstance(value, str) else _REPR.repr(value)
    text = _CONTROL.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else f"\\u{ord(m.group()):04x}", text
    )
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(value: Any, limit: int = MAX_SHOWN) -> str:
    """Show a short, printable value as it is (no quotes); anything else as `shown` does."""
    text = str(value)
    return text if len(text) <= limit and not _CONTROL.search(text) else shown(value, limit)


def printable(text: str) -> str:
    """Escape the control characters of text bound for a terminal, keeping newlines and tabs.

    An ANSI escape in a resource name or a cell would otherwise move the cursor,
    recolour or rewrite what the user sees; ``\\u001b`` is shown instead.
    """
    return _CONTROL.sub(lambda m: m.group() if m.group() in "\n\t" else f"\\u{ord(m.group()):04x}", text)


def one_line(value: Any) -> str:
    """Escape every control character of untrusted text bound for one line of output, newlines and tabs too.

    The escaper of a field in a line-oriented report (``validate``'s text
    report, ``diff``'s text lines, ``show``): a newline in a header cell or key
    becomes ``\\u000a``, so it can never forge a line of its own.
    """
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", str(value))


_MARKDOWN_SPECIAL = re.compile(r"[!-/:-@\[-`{-~]")
"""Every ASCII punctuation character: CommonMark lets each be escaped with a backslash."""


def markdown_inline(value: Any) -> str:
    """Escape untrusted text for one Markdown table cell or line: no markup, link, image, HTML or new row.

    Every ASCII punctuation character is backslash-escaped (``|`` cannot end a
    cell, ``[``/``!`` cannot open a link or image, a backtick cannot open code,
    ``<`` cannot open HTML, ``:`` cannot make an autolink) and every control
    character, newlines included, is shown as ``\\u000a`` (`one_line`).
    """
    return _MARKDOWN_SPECIAL.sub(lambda m: "\\" + m.group(), one_line(value))
