"""Validation problems as data, and the report that gathers them.

Like Frictionless's reports, a problem is a record — rule id, severity,
resource, row, column, message, the ids involved — so the same report prints as
a table or as JSON. Rows are line numbers of the CSV file (the header is row 1,
the first data row is row 2), as Frictionless counts them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from powdata._io.escape import one_line

ERROR = "error"
WARNING = "warning"
MAX_MESSAGE = 500
"""The longest message kept; longer ones (a huge cell quoted) are cut with an ellipsis."""


@dataclass(frozen=True)
class Problem:
    """One broken rule at one place."""

    rule: str
    severity: str
    message: str
    resource: str | None = None
    row: int | None = None
    column: str | None = None
    ids: tuple[str, ...] = ()

    def where(self) -> str:
        """Return ``resource, row N, column C`` for the parts that are known."""
        parts = [self.resource or "package"]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)


MAX_REPEATED = 20
"""The most problems of one rule in one column (and resource) kept; the rest are counted, not kept."""


@dataclass
class Report:
    """Everything one validation found; ``valid`` is True when there is no error.

    A rule broken in every row of a large file is kept `MAX_REPEATED` times per
    (rule, severity, resource, column); the further ones are only counted
    (``suppressed``), so the report's memory and length stay bounded whatever
    the input, and the counts stay exact.
    """

    path: str
    problems: list[Problem] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    suppressed: dict[tuple[str, str, str | None, str | None], int] = field(default_factory=dict)
    _kept: dict[tuple[str, str, str | None, str | None], int] = field(default_factory=dict, repr=False)

    @property
    def errors(self) -> list[Problem]:
        """The problems kept that make the package invalid."""
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        """The problems kept that a rule could not decide; they do not make the package invalid."""
        return [p for p in self.problems if p.severity == WARNING]

    def count(self, severity: str) -> int:
        """How many problems of ``severity`` were found, the suppressed ones included."""
        kept = sum(1 for p in self.problems if p.severity == severity)
        return kept + sum(n for key, n in self.suppressed.items() if key[1] == severity)

    @property
    def valid(self) -> bool:
        """True when no rule found a certain contradiction."""
        return self.count(ERROR) == 0

    def add(self, problems: Iterable[Problem]) -> None:
        """Add problems as found: each check has one owner, so nothing is merged.

        A message longer than `MAX_MESSAGE` (a 100 kB cell quoted) is cut with an
        ellipsis; past `MAX_REPEATED` problems of one rule in one column, the
        rest are counted in ``suppressed`` instead of kept.
        """
        for p in problems:
            key = (p.rule, p.severity, p.resource, p.column)
            kept = self._kept.get(key, 0)
            if kept >= MAX_REPEATED:
                self.suppressed[key] = self.suppressed.get(key, 0) + 1
                continue
            self._kept[key] = kept + 1
            self.problems.append(
                replace(p, message=p.message[: MAX_MESSAGE - 1] + "…") if len(p.message) > MAX_MESSAGE else p
            )

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data (``suppressed`` counts the problems not listed)."""
        return {
            "path": self.path,
            "valid": self.valid,
            "checked": list(self.checked),
            "error_count": self.count(ERROR),
            "warning_count": self.count(WARNING),
            "problems": [{**asdict(p), "ids": list(p.ids)} for p in self.problems],
            "suppressed": [
                {"rule": r, "severity": sev, "resource": res, "column": col, "count": n}
                for (r, sev, res, col), n in self.suppressed.items()
            ],
        }

    def to_text(self) -> str:
        """Return the report as a readable table, errors first; each problem one line, whatever its text holds."""
        head = "VALID" if self.valid else "INVALID"
        lines = [f"{head}: {one_line(self.path)}", f"{self.count(ERROR)} error(s), {self.count(WARNING)} warning(s)"]
        lines.append("checked: " + ", ".join(self.checked))
        ordered = sorted(self.problems, key=lambda p: (p.severity != ERROR, p.resource or "", p.row or 0))
        if ordered:
            lines.append("")
            lines.append(f"{'severity':<8}  {'rule':<26}  {'where':<40}  message")
        for p in ordered:
            lines.append(f"{p.severity:<8}  {one_line(p.rule):<26}  {one_line(p.where()):<40}  {one_line(p.message)}")
        for (rule, sev, res, col), n in self.suppressed.items():
            where = one_line(Problem(rule, sev, "", res, None, col).where())
            lines.append(f"{sev:<8}  {one_line(rule):<26}  {where:<40}  … and {n} more like the above (not listed)")
        return "\n".join(lines) + "\n"
