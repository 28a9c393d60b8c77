"""How warm kernels are made: the settings and names both the kernel side and the zygote
use (kept apart from :mod:`kpi.warm.kernel` so that :mod:`kpi.warm.zygote` needs only this
module), and the engine's name. Imports nothing heavy: :mod:`kpi.warm` reads it while
papermill is being imported.
"""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path

#: The name papermill knows the warm engine by (``engine_name=``, ``kpi run --engine``).
ENGINE_NAME = "kpi-warm"

#: Third-party modules imported before the fresh-state snapshot.
DEFAULT_IMPORTS = (
    "numpy",
    "pandas",
    "pyarrow",
    "pyarrow.parquet",
    "matplotlib",
    "matplotlib.pyplot",
    "seaborn",
)
#: Project modules imported after the snapshot only to load their dependencies.
DEFAULT_PROJECT_IMPORTS = ("kpi", "kpi.notebook.report", "kpi.analysis", "kpi.notebook.plots",
                           "kpi.core.store", "kpi.core.catalog", "kpi.core.schema")
RESET_MODULE = "_kpi_warm_reset"
RESET_SOURCE = Path(__file__).with_name("reset.py")
#: Variables a worker may have that its kernels do not get. Dask's nanny gives its workers
#: ``MALLOC_TRIM_THRESHOLD_`` (to hand freed memory back to the system); setting it also
#: switches off glibc's adaptive mmap threshold, so each large array or image buffer a
#: kernel makes is mapped and zero-filled anew: three times the page faults per notebook.
WORKER_ONLY_ENV = ("MALLOC_TRIM_THRESHOLD_",)


def kernel_environ(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a warm kernel starts with: ``environ`` (default: this process's)
    without :data:`WORKER_ONLY_ENV`."""
    source = os.environ if environ is None else environ
    return {k: v for k, v in source.items() if k not in WORKER_ONLY_ENV}


@dataclass(frozen=True)
class WarmSettings:
    """How this process's warm kernels are made.

    ``max_notebooks``: a kernel is replaced after this many notebooks (memory safety valve:
    a kernel grows a little with each report; a restart costs a fresh warm-up).
    ``transport``: ``ipc`` (Unix sockets in a private temp folder: no TCP port races between
    workers starting kernels together) or ``tcp``. ``reset_timeout``: seconds a warm-up or
    reset may take before the kernel counts as hung. ``shutdown_wait``: seconds a kernel
    gets to stop before it is killed. ``kept_modules``: project modules a reset keeps
    (:mod:`kpi.util.process_memo` only: values derived from files, returned as fresh copies).
    """

    imports: tuple[str, ...] = DEFAULT_IMPORTS
    project_imports: tuple[str, ...] = DEFAULT_PROJECT_IMPORTS
    project_packages: tuple[str, ...] = ("kpi",)
    kept_modules: tuple[str, ...] = ("kpi.util.process_memo",)
    max_notebooks: int = 200
    transport: str = "tcp" if sys.platform == "win32" else "ipc"
    reset_timeout: float = 120.0
    shutdown_wait: float = 2.0

    @classmethod
    def from_env(cls) -> WarmSettings:
        """Defaults, overridden by ``KPI_WARM_MAX_NOTEBOOKS`` and ``KPI_WARM_TRANSPORT``
        (environment variables reach pool and Dask workers without extra plumbing)."""
        settings = cls()
        if value := os.environ.get("KPI_WARM_MAX_NOTEBOOKS"):
            settings = replace(settings, max_notebooks=int(value))
        if value := os.environ.get("KPI_WARM_TRANSPORT"):
            settings = replace(settings, transport=value)
        return settings


def install_reset_module() -> str:
    """Code that makes :mod:`kpi.warm.reset` the module ``_kpi_warm_reset`` of the process
    it runs in, unless that process already has this very source (a kernel forked from a
    zygote that installed it: its code cache and module registry are kept)."""
    source = RESET_SOURCE.read_text(encoding="utf-8")
    digest = hashlib.sha256(source.encode()).hexdigest()
    return (
        f"__m = __import__('sys').modules.setdefault({RESET_MODULE!r}, "
        f"__import__('types').ModuleType({RESET_MODULE!r}))\n"
        f"if __m.__dict__.get('SOURCE_DIGEST') != {digest!r}:\n"
        f"    exec(compile({source!r}, '<kpi.warm.reset>', 'exec'), __m.__dict__)\n"
        f"    __m.SOURCE_DIGEST = {digest!r}\n"
        f"del __m\n"
    )
