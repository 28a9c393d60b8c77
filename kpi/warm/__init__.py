"""Warm-kernel notebook execution: the ``kpi-warm`` papermill engine, as papermill loads it.

papermill imports every ``papermill.engine`` entry point while it is itself being imported,
and one that fails breaks papermill for everyone. So this module imports nothing heavy and
cannot fail: :class:`WarmEngine` here is a thin front that hands each call to the real
engine, :class:`kpi.warm.engine.WarmEngine` (a ``papermill.engines.Engine`` subclass),
imported on first use. Importing the real engine module at papermill's import time would
not work either way round: it imports papermill, which would load this entry point again
half-way through.

Use::

    from kpi.warm import register
    register()   # or the entry point  kpi-warm = "kpi.warm:WarmEngine"
    papermill.execute_notebook(src, dst, parameters=..., engine_name="kpi-warm")
"""

from __future__ import annotations

from typing import Any

ENGINE_NAME = "kpi-warm"


def _engine() -> Any:
    from kpi.warm.engine import WarmEngine as RealEngine

    return RealEngine


class WarmEngine:
    """papermill engine running notebooks on this process's warm kernel (see
    :mod:`kpi.warm.engine`); the same three class methods papermill calls on an engine."""

    @classmethod
    def execute_notebook(cls, nb: Any, kernel_name: str, **kwargs: Any) -> Any:
        return _engine().execute_notebook(nb, kernel_name, **kwargs)

    @classmethod
    def nb_kernel_name(cls, nb: Any, name: str | None = None) -> str:
        return _engine().nb_kernel_name(nb, name)

    @classmethod
    def nb_language(cls, nb: Any, language: str | None = None) -> str:
        return _engine().nb_language(nb, language)


def register(name: str = ENGINE_NAME) -> None:
    """Register the engine in papermill's registry under ``name`` (what the entry point
    does when the package is installed with it)."""
    from papermill.engines import papermill_engines

    papermill_engines.register(name, WarmEngine)


def last_run() -> Any:
    """What happened to the last notebook this process ran on the warm engine
    (:class:`kpi.warm.engine.WarmRun`: attempts, retry reasons, kernel), or None."""
    from kpi.warm.engine import last_run as _last_run

    return _last_run()


def shutdown_kernels() -> None:
    """Shut down this process's warm kernels now (they also stop when it exits)."""
    from kpi.warm.kernel import shutdown_all

    shutdown_all()
