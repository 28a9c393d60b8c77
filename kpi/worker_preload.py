"""Imported by the forkserver that ``kpi run``'s workers are forked from (see
:func:`kpi.runner.worker_pool`): the job modules, then :func:`kpi.jobs.prepare_process`,
so each worker starts ready instead of spending its first job on one-off work.

Importing it has that effect and no other; nothing else imports it.
"""

from __future__ import annotations

from kpi.jobs import prepare_process

prepare_process()
