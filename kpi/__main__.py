"""``python -m kpi`` is the ``kpi`` command."""

import sys

from kpi.cli import main

sys.exit(main())
