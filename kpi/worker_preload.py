"""Imported by the forkserver that ``kpi run``'s workers are forked from (see
:func:`kpi.runner.worker_pool`): the job modules, then :func:`kpi.jobs.prepare_process`,
so each worker starts ready instead of spending its first job on one-off work.

Importing it has that effect and no other; nothing else imports it. It never raises: the
forkserver survives only an ``ImportError`` in a preloaded module, and whatever made the
preparation fail (a missing template, say) is met again, and reported, in a worker's first
job.
"""

from __future__ import annotations

import contextlib

from kpi.jobs import prepare_process

with contextlib.suppress(Exception):
    prepare_process()
