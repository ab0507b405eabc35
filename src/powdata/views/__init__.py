"""Ready-made views of the data, so users need not write joins: the frames every public view returns.

The views build on one another, one module a step: `powdata.views.labelled`
labels every figure (`figures`) and folds variants into their statements
(`statements`); on those, `powdata.views.timeline` orders any indicator's
statements in time (`series`, `latest`) and `powdata.views.topics` answers the
package's three questions (`foreign_share_by_year`, `listed_fighters_by_group`,
`pow_nationalities`). Nothing a view computes is stored in the package. This
module only names the views for `powdata`; the code is in the modules.
"""

from __future__ import annotations

from powdata.views.labelled import figures, statements
from powdata.views.timeline import latest, series
from powdata.views.topics import foreign_share_by_year, listed_fighters_by_group, pow_nationalities

__all__ = [
    "figures",
    "foreign_share_by_year",
    "latest",
    "listed_fighters_by_group",
    "pow_nationalities",
    "series",
    "statements",
]
