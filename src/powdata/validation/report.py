"""Validation problems as data, and the report that gathers them.

Like Frictionless's reports, a problem is a record — rule id, severity,
resource, row, column, message, the ids involved — so the same report prints as
a table or as JSON. Rows are line numbers of the CSV file (the header is row 1,
the first data row is row 2), as Frictionless counts them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from powdata._package import printable

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


@dataclass
class Report:
    """Everything one validation found; ``valid`` is True when there is no error."""

    path: str
    problems: list[Problem] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """The problems that make the package invalid."""
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        """The problems a rule could not decide; they do not make the package invalid."""
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def valid(self) -> bool:
        """True when no rule found a certain contradiction."""
        return not self.errors

    def add(self, problems: list[Problem]) -> None:
        """Add problems as found: each check has one owner, so nothing is merged or dropped.

        Only a message longer than `MAX_MESSAGE` (a 100 kB cell quoted) is cut, with an ellipsis.
        """
        self.problems.extend(
            replace(p, message=p.message[: MAX_MESSAGE - 1] + "…") if len(p.message) > MAX_MESSAGE else p
            for p in problems
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        return {
            "path": self.path,
            "valid": self.valid,
            "checked": list(self.checked),
            "error_count": len(self.errors),
            "warning_count": len(self.warnings),
            "problems": [{**asdict(p), "ids": list(p.ids)} for p in self.problems],
        }

    def to_text(self) -> str:
        """Return the report as a readable table, errors first."""
        head = "VALID" if self.valid else "INVALID"
        lines = [f"{head}: {self.path}", f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)"]
        lines.append("checked: " + ", ".join(self.checked))
        ordered = sorted(self.problems, key=lambda p: (p.severity != ERROR, p.resource or "", p.row or 0))
        if ordered:
            lines.append("")
            lines.append(f"{'severity':<8}  {'rule':<26}  {'where':<40}  message")
        for p in ordered:
            lines.append(f"{p.severity:<8}  {p.rule:<26}  {p.where():<40}  {p.message}")
        return printable("\n".join(lines) + "\n")
