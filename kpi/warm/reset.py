"""Code that runs inside a warm IPython kernel: warm up once, then reset before each notebook.

The engine does not import this module in the kernel (that would make it a project module,
dropped at every reset); it sends this file's source and keeps it as the module
``_kpi_warm_reset``. So only the standard library is imported at the top; pandas, numpy and
matplotlib are reached through ``sys.modules`` and only if the warm-up imported them.

Contract: after :func:`restore`, the next notebook sees what a fresh kernel started in ``cwd``
would show it — an empty user namespace and execution count 1, the rcParams / seaborn theme,
inline figure formats, pandas and numpy options, environment, ``sys.path``, warning filters
and registries, logging root, locale and umask of the snapshot, no open figures, no project
module in ``sys.modules`` but the ``kept_modules`` (:mod:`kpi.util.process_memo`), random
generators reseeded from OS entropy. Third-party modules a notebook imported stay imported
(their first import is the cost this saves).

Project modules are imported again from source at every notebook, but their compiled code is
kept (keyed by file, modification time and size), as a ``.pyc`` would be: code objects are
immutable, and a changed file compiles anew. That also works where no bytecode is written
(``PYTHONDONTWRITEBYTECODE``, read-only folders). Likewise the methods ``dataclasses`` writes
for each dataclass are compiled once per distinct source text.

Known differences from a fresh kernel, none of which shows in the outputs of the project's
notebooks: ``matplotlib.is_interactive()`` is already True before the first figure (the
inline backend is loaded at warm-up); warnings raised while the warm-up modules were
imported are not shown again; third-party state outside the list above (e.g. a registry a
library keeps) and the process-wide string hash seed carry over; a change to the parent
process's environment after the kernel started is not seen.
"""

from __future__ import annotations

import copy
import gc
import importlib
import locale
import logging
import os
import random
import sys
import sysconfig
import time
import types
import warnings
from importlib.machinery import SourceFileLoader
from typing import Any

_SNAPSHOT: dict[str, Any] = {}
_PROJECT_PACKAGES: tuple[str, ...] = ()
# project modules the reset keeps (kpi.util.process_memo)
_KEPT_MODULES: frozenset[str] = frozenset()
_INSTALL_DIRS: tuple[str, ...] = ()
_OUTSIDE: dict[str, bool] = {}  # module file -> lies outside the install folders (realpath is slow)
_NOT_PROJECT: dict[str, int] = {}  # module name -> id of its module object, known not the project's
_CODE: dict[str, tuple[int, int, types.CodeType]] = {}  # source file -> mtime_ns, size, code
_MAX_DATACLASS_CODES = 4096


def _install_dirs() -> tuple[str, ...]:
    """Folders holding the interpreter's own and installed third-party modules."""
    paths = sysconfig.get_paths()
    dirs = {paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib") if k in paths}
    dirs |= {sys.base_prefix, sys.base_exec_prefix}
    return tuple(sorted(os.path.join(os.path.realpath(d), "") for d in dirs))


def is_project_module(name: str, module: object) -> bool:
    """True for modules a notebook's project brings: the project packages (``kpi``) and
    anything whose file lies outside the interpreter and site-packages folders."""
    if name.partition(".")[0] in _PROJECT_PACKAGES:
        return True
    path = getattr(module, "__file__", None)
    return isinstance(path, str) and bool(path) and _outside_install(path)


def _outside_install(path: str) -> bool:
    outside = _OUTSIDE.get(path)
    if outside is None:
        outside = _OUTSIDE[path] = not os.path.realpath(path).startswith(_INSTALL_DIRS)
    return outside


def _install_code_cache() -> None:
    """Keep the compiled code of project source files across resets (see module doc)."""
    original = SourceFileLoader.get_code
    if getattr(original, "_kpi_keeps_code", False):
        return

    def get_code(self: SourceFileLoader, fullname: str) -> types.CodeType | None:
        path = self.get_filename(fullname)
        try:
            if not _outside_install(path):
                return original(self, fullname)
            stat = os.stat(path)
        except (OSError, ImportError):
            return original(self, fullname)
        kept = _CODE.get(path)
        if kept is not None and kept[:2] == (stat.st_mtime_ns, stat.st_size):
            return kept[2]
        code = original(self, fullname)
        if code is not None:
            _CODE[path] = (stat.st_mtime_ns, stat.st_size, code)
        return code

    get_code._kpi_keeps_code = True  # type: ignore[attr-defined]
    SourceFileLoader.get_code = get_code  # type: ignore[method-assign]


def _install_dataclass_cache() -> None:
    """Keep the code ``dataclasses`` compiles for the methods it writes (``__init__``,
    ``__repr__``, ``__eq__`` ...). It ``exec``s their source text each time a module defining
    a dataclass is executed, and project modules are executed anew at every notebook; the
    text is the same each time, and compiling it was most of re-importing ``kpi``. Compiled
    as ``dataclasses`` itself compiles it (no inherited ``__future__`` flags); bounded."""
    import dataclasses

    if getattr(dataclasses.__dict__.get("exec"), "_kpi_keeps_code", False):
        return
    codes: dict[str, types.CodeType] = {}

    def cached_exec(source: Any, globals: Any = None, locals: Any = None) -> None:
        if isinstance(source, str):
            code = codes.get(source)
            if code is None:
                if len(codes) >= _MAX_DATACLASS_CODES:
                    codes.clear()
                code = codes[source] = compile(source, "<string>", "exec", dont_inherit=True)
            source = code
        exec(source, globals, locals)

    cached_exec._kpi_keeps_code = True  # type: ignore[attr-defined]
    dataclasses.exec = cached_exec  # type: ignore[attr-defined]  # shadows the builtin there


def _install_quick_flush() -> None:
    """Let a kernel stream's flush with nothing to send return at once.

    ipykernel's ``OutStream.flush`` hands two events to its IOPub thread and waits for both
    even when nothing was written; it runs ~60 times a notebook (before each reply, display
    and status), two thread hand-offs each. Skipping the empty ones changes no message:
    every IOPub message goes out through that one thread in the order it was queued, and a
    client knows a cell's output is complete from the ``idle`` status that follows it on
    IOPub. Text waiting in the stream (or an echo to mirror) still takes ipykernel's flush.
    """
    try:
        from ipykernel.iostream import OutStream
    except ImportError:  # pragma: no cover - not in a kernel
        return
    flush = OutStream.flush
    if getattr(flush, "_kpi_quick", False):
        return

    def quick_flush(self: Any) -> None:
        # Attributes of ipykernel 7's OutStream; any other shape takes ipykernel's flush.
        buffers = getattr(self, "_buffers", None)
        if (buffers is None or getattr(self, "echo", None) is not None
                or getattr(self, "_flush_pending", True)
                or getattr(self, "_subprocess_flush_pending", False)
                or any(buffer.tell() for buffer in list(buffers.values()))):
            flush(self)

    quick_flush._kpi_quick = True  # type: ignore[attr-defined]
    OutStream.flush = quick_flush  # type: ignore[method-assign]


def warm_up(
    imports: list[str],
    project_imports: list[str],
    project_packages: list[str],
    kept_modules: list[str] | None = None,
) -> dict[str, Any]:
    """Import the heavy modules, snapshot the fresh state, freeze the garbage collector.

    ``imports`` are third-party modules imported before the snapshot (pyplot here switches
    on the inline backend, as a notebook's first import would). ``project_imports`` are
    imported after it only to load their third-party dependencies; they are dropped again,
    so their import-time side effects (a theme, a registered colormap) are not baked into
    the snapshot. ``kept_modules`` are project modules no reset drops (only
    ``kpi.util.process_memo``, whose contract is to keep nothing a notebook can change).
    Returns the modules that could not be imported, the seconds spent and
    the kernel's process id.
    """
    start = time.perf_counter()
    _configure(project_packages, kept_modules)
    _install_quick_flush()
    failed = [name for name in imports if not _try_import(name)]
    _load_pyplot_backend()
    _SNAPSHOT.clear()
    _SNAPSHOT.update(_capture())
    failed += [name for name in project_imports if not _try_import(name)]
    _drop_project_modules()
    _restore_snapshot()
    # Everything alive now lives as long as the kernel: keep it out of every collection
    # (IPython's reset runs a full one; without this it costs ~60 ms per notebook).
    gc.collect()
    gc.freeze()
    return {"failed": failed, "seconds": time.perf_counter() - start, "pid": os.getpid()}


def preload(imports: list[str], project_imports: list[str], project_packages: list[str]) -> None:
    """What :func:`warm_up` imports, for a process that forks kernels (see
    :mod:`kpi.warm.zygote_server`): no kernel runs yet, so there is no snapshot and pyplot's
    backend stays unresolved. Project modules are imported for their dependencies and
    compiled code, then dropped, and the state they changed on import is put back."""
    _configure(project_packages, ())
    for name in imports:
        _try_import(name)
    _SNAPSHOT.update(_capture())
    for name in project_imports:
        _try_import(name)
    _drop_project_modules()
    _restore_snapshot()
    _SNAPSHOT.clear()
    gc.collect()
    gc.freeze()  # shared with the forked kernels page by page, as long as nothing writes


def _configure(project_packages: list[str], kept_modules: list[str] | None) -> None:
    global _PROJECT_PACKAGES, _INSTALL_DIRS, _KEPT_MODULES
    _PROJECT_PACKAGES = tuple(project_packages)
    _KEPT_MODULES = frozenset(kept_modules or ())
    _INSTALL_DIRS = _install_dirs()
    _install_code_cache()
    _install_dataclass_cache()


def _load_pyplot_backend() -> None:
    """Resolve pyplot's backend now, as a fresh kernel's first figure would: the inline
    backend then switches interactive mode on and hooks figure display into IPython.
    Left lazy, the first notebook's plot would change state after the snapshot."""
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None:
        return
    if hasattr(plt, "_get_backend_mod"):
        plt._get_backend_mod()
    else:  # pragma: no cover - older matplotlib
        plt.close(plt.figure())


def _try_import(name: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            importlib.import_module(name)
    except Exception:
        return False
    return True


def restore(cwd: str) -> float:
    """Bring the kernel back to the snapshot, working in ``cwd``; return the seconds spent."""
    start = time.perf_counter()
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")
    ip = _ipython()
    if ip is not None:
        _reset_namespace(ip)
    _drop_project_modules()
    os.chdir(cwd)
    _restore_snapshot()
    return time.perf_counter() - start


def _reset_namespace(ip: Any) -> None:
    """IPython's own reset (namespace, ``Out``, history session, execution count 1) without
    the full garbage collection it ends with: that walks every object the previous
    notebook left (~0.1 s); its cycles are collected by the automatic collector instead."""
    collect = gc.collect
    gc.collect = lambda generation=2: 0
    try:
        ip.reset(new_session=True)
    finally:
        gc.collect = collect


def _ipython() -> Any:
    module = sys.modules.get("IPython")
    return module.get_ipython() if module is not None else None


def _drop_project_modules() -> None:
    for name, module in list(sys.modules.items()):
        if _NOT_PROJECT.get(name) == id(module) or name in _KEPT_MODULES:
            continue
        if is_project_module(name, module):
            del sys.modules[name]
        else:
            _NOT_PROJECT[name] = id(module)  # it stays in sys.modules, so the id is its own
    importlib.invalidate_caches()


def _capture() -> dict[str, Any]:
    snap: dict[str, Any] = {
        "environ": dict(os.environ),
        "sys.path": list(sys.path),
        "warnings.filters": list(warnings.filters),
        "warnings.hooks": (warnings.showwarning, warnings.formatwarning),
        "streams": (sys.stdout, sys.stderr, sys.displayhook, sys.excepthook),
        "recursionlimit": sys.getrecursionlimit(),
        "locale": locale.setlocale(locale.LC_ALL, None),
        "logging": (logging.root.level, list(logging.root.handlers)),
    }
    umask = os.umask(0)
    os.umask(umask)
    snap["umask"] = umask
    ip = _ipython()
    if ip is not None:
        snap["ipython"] = _capture_ipython(ip)
    if "matplotlib" in sys.modules:
        snap["matplotlib"] = _capture_matplotlib()
    if "pandas" in sys.modules:
        snap["pandas"] = _pandas_options()
    if "numpy" in sys.modules:
        np = sys.modules["numpy"]
        snap["numpy"] = (np.get_printoptions(), np.geterr())
    return snap


def _capture_ipython(ip: Any) -> dict[str, Any]:
    formatters = {
        mime: (f.enabled, dict(f.type_printers), dict(f.deferred_printers))
        for mime, f in ip.display_formatter.formatters.items()
    }
    inline = None
    if "matplotlib_inline.config" in sys.modules:
        cfg = sys.modules["matplotlib_inline.config"].InlineBackend.instance()
        inline = {
            "figure_formats": set(cfg.figure_formats),
            "print_figure_kwargs": copy.deepcopy(cfg.print_figure_kwargs),
            "close_figures": cfg.close_figures,
            "rc": copy.deepcopy(cfg.rc),
        }
    return {
        "formatters": formatters,
        "active_types": list(ip.display_formatter.active_types),
        "events": {name: list(cbs) for name, cbs in ip.events.callbacks.items()},
        "ast_transformers": list(ip.ast_transformers),
        "input_transformers_post": list(ip.input_transformers_post),
        "inline": inline,
    }


def _capture_matplotlib() -> dict[str, Any]:
    mpl = sys.modules["matplotlib"]
    snap: dict[str, Any] = {"rc": dict(mpl.rcParams.copy())}
    snap["backend"] = mpl.get_backend() if "matplotlib.pyplot" in sys.modules else None
    units = sys.modules.get("matplotlib.units")
    if units is not None:
        snap["units"] = dict(units.registry)
    if hasattr(mpl, "colormaps"):
        snap["colormaps"] = dict(mpl.colormaps._cmaps)
    return snap


def _pandas_options() -> dict[str, Any]:
    pd = sys.modules["pandas"]
    registered = pd._config.config._registered_options
    deprecated = pd._config.config._deprecated_options
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {k: pd.get_option(k) for k in registered if k not in deprecated}


def _restore_snapshot() -> None:
    snap = _SNAPSHOT
    _restore_environ(snap["environ"])
    sys.path[:] = snap["sys.path"]
    warnings.filters[:] = snap["warnings.filters"]
    warnings.showwarning, warnings.formatwarning = snap["warnings.hooks"]
    # Bumps the filters version: every module's __warningregistry__ and the once-registry
    # are considered stale, so a warning the previous notebook saw is shown again.
    warnings._filters_mutated()
    warnings.onceregistry.clear()
    sys.stdout, sys.stderr, sys.displayhook, sys.excepthook = snap["streams"]
    sys.setrecursionlimit(snap["recursionlimit"])
    if locale.setlocale(locale.LC_ALL, None) != snap["locale"]:
        locale.setlocale(locale.LC_ALL, snap["locale"])
    level, handlers = snap["logging"]
    logging.root.setLevel(level)
    logging.root.handlers[:] = handlers
    os.umask(snap["umask"])
    if "ipython" in snap and (ip := _ipython()) is not None:
        _restore_ipython(ip, snap["ipython"])
    if "matplotlib" in snap:
        _restore_matplotlib(snap["matplotlib"])
    if "pandas" in snap:
        _restore_pandas(snap["pandas"])
    if "numpy" in snap:
        np = sys.modules["numpy"]
        printoptions, err = snap["numpy"]
        np.set_printoptions(**printoptions)
        np.seterr(**err)
        np.random.seed()  # from OS entropy, as a fresh process seeds it
    random.seed()


def _restore_environ(saved: dict[str, str]) -> None:
    tz = os.environ.get("TZ")
    for key in [k for k in os.environ if k not in saved]:
        del os.environ[key]
    for key, value in saved.items():
        if os.environ.get(key) != value:
            os.environ[key] = value
    if os.environ.get("TZ") != tz:
        time.tzset()


def _restore_ipython(ip: Any, snap: dict[str, Any]) -> None:
    for mime, (enabled, type_printers, deferred) in snap["formatters"].items():
        formatter = ip.display_formatter.formatters.get(mime)
        if formatter is None:
            continue
        formatter.enabled = enabled
        formatter.type_printers.clear()
        formatter.type_printers.update(type_printers)
        formatter.deferred_printers.clear()
        formatter.deferred_printers.update(deferred)
    ip.display_formatter.active_types = list(snap["active_types"])
    for name in list(ip.events.callbacks):
        ip.events.callbacks[name][:] = snap["events"].get(name, [])
    ip.ast_transformers[:] = snap["ast_transformers"]
    ip.input_transformers_post[:] = snap["input_transformers_post"]
    inline = snap["inline"]
    if inline is not None:
        cfg = sys.modules["matplotlib_inline.config"].InlineBackend.instance()
        cfg.figure_formats = set(inline["figure_formats"])
        cfg.print_figure_kwargs = copy.deepcopy(inline["print_figure_kwargs"])
        cfg.close_figures = inline["close_figures"]
        cfg.rc = copy.deepcopy(inline["rc"])


def _restore_matplotlib(snap: dict[str, Any]) -> None:
    mpl = sys.modules["matplotlib"]
    backend = snap["backend"]
    plt = sys.modules.get("matplotlib.pyplot")
    if backend is not None and plt is not None and mpl.get_backend() != backend:
        plt.switch_backend(backend)
    rc = mpl.rcParams
    current = rc.copy()
    for key, value in snap["rc"].items():
        if key != "backend" and not _same(current.get(key), value):
            rc._set(key, value)
    inline = sys.modules.get("matplotlib_inline.backend_inline")
    if inline is not None:  # figures queued for display by the previous notebook
        inline.show._draw_called = False
        inline.show._to_draw = []
    if "units" in snap:
        registry = sys.modules["matplotlib.units"].registry
        registry.clear()
        registry.update(snap["units"])
    if "colormaps" in snap:
        cmaps = mpl.colormaps._cmaps
        cmaps.clear()
        cmaps.update(snap["colormaps"])


def _same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    try:
        return bool(a == b)
    except Exception:  # arrays compare element-wise
        return False


def _restore_pandas(saved: dict[str, Any]) -> None:
    pd = sys.modules["pandas"]
    current = _pandas_options()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for key, value in saved.items():
            if not _same(current.get(key), value):
                pd.set_option(key, value)

