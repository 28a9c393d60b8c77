"""Imported first by the forkserver ``kpi run``'s workers are forked from (a preload
module, imported nowhere else): the forkserver is killed when the run ends, however it
ends, and its workers with it (:mod:`kpi.util.lifeline`)."""

from kpi.util.lifeline import die_with_parent

die_with_parent()
