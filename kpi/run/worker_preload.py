"""Imported by the forkserver that ``kpi run``'s workers are forked from (see
:func:`kpi.run.runner.worker_pool`): the job modules, then :func:`kpi.run.jobs.prepare_process`,
so each worker starts ready instead of spending its first job on one-off work.

Then the garbage collector is frozen: everything loaded so far lives as long as each worker,
so no worker's collection walks it again (~80,000 objects; a full collection in a worker
took ~90 ms), and its memory pages stay shared with the forkserver instead of being
written by collections.

Importing it has these effects and no other; nothing else imports it. It never raises: the
forkserver survives only an ``ImportError`` in a preloaded module, and whatever made the
preparation fail (a missing template, say) is met again, and reported, in a worker's first
job.
"""

from __future__ import annotations

import contextlib
import gc

from kpi.run.jobs import prepare_process

with contextlib.suppress(Exception):
    prepare_process()
gc.collect()
gc.freeze()
