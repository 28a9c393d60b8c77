"""``python -m kpi.notebook refresh NOTEBOOK.ipynb ...``: refresh the outputs nbval checks."""

import sys

from kpi.notebook.report import main

raise SystemExit(main(sys.argv[1:]))
