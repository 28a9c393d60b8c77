"""Process start-up: the runner's processes do not pay for what they never use.

nbformat validates notebooks with jsonschema, whose format checkers import the optional
package ``rfc3987_syntax`` when it is installed (JupyterLab's dependencies bring it). That
import builds about 35 Earley parsers: ~2 s of CPU in every process that imports nbformat
(the ``kpi`` command and each of its workers), for the ``iri`` formats that no notebook
schema uses (python-jsonschema/jsonschema#1428). Importing this module before nbformat
makes that optional import fail at once, as if the package were absent. A process that has
already imported jsonschema is left as it is.

Imported for this effect by the runner's modules (:mod:`kpi.run.jobs`,
:mod:`kpi.render.exporter`), not by the package itself: a notebook kernel importing
``kpi`` keeps jsonschema as installed.
"""

from __future__ import annotations

import sys

if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]
