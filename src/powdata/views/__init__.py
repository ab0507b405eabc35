"""Ready-made views of the data, so users need not write joins: the frames every public view returns.

The views build on one another, one module a step: `figures`
(`powdata.views.labelled`) labels every observation; the topic views
(`powdata.views.topics`) answer the package's questions from its statements.
Nothing a view computes is stored in the package. This module only names them
for `powdata`; the code is in the modules.
"""

from __future__ import annotations

from powdata.views.labelled import figures
from powdata.views.topics import (
    foreign_share_by_year,
    latest,
    listed_fighters_by_group,
    pow_nationalities,
    series,
    statements,
)

__all__ = [
    "figures",
    "foreign_share_by_year",
    "latest",
    "listed_fighters_by_group",
    "pow_nationalities",
    "series",
    "statements",
]
