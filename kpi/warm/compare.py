"""Compare executed notebooks cell by cell, ignoring only what differs between two fresh runs.

Used to check that a warm kernel gives a fresh kernel's outputs. Ignored: execution
timestamps and durations (cell metadata ``execution`` and ``papermill``), the ids of the
cells papermill adds (parameters, error marker), object addresses (``<object at 0x7f…>``)
and pandas Styler ids (``T_1a2b3``). Everything else — sources, execution counts, every
output's type, stream text, MIME bundle (images byte for byte), error name, value and
traceback — must match.
"""

from __future__ import annotations

import re
from typing import Any

_ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,16}")
_STYLER_ID = re.compile(r"T_[0-9a-f]{5}(?=[_\"' >#])")
_ADDED_BY_PAPERMILL = frozenset({"injected-parameters", "papermill-error-cell-tag"})


def _text(value: Any) -> Any:
    if isinstance(value, list):
        value = "".join(value)
    if isinstance(value, str):
        return _STYLER_ID.sub("T_<id>", _ADDRESS.sub("0x<addr>", value))
    return value


def _output(output: dict[str, Any]) -> dict[str, Any]:
    kind = output["output_type"]
    out: dict[str, Any] = {"output_type": kind}
    if kind == "stream":
        out.update(name=output["name"], text=_text(output["text"]))
    elif kind in ("display_data", "execute_result"):
        out["data"] = {
            mime: value if mime.startswith("image/") and mime != "image/svg+xml" else _text(value)
            for mime, value in output.get("data", {}).items()
        }
        out["metadata"] = output.get("metadata", {})
        if kind == "execute_result":
            out["execution_count"] = output.get("execution_count")
    elif kind == "error":
        out.update(ename=output["ename"], evalue=_text(output["evalue"]),
                   traceback=[_text(line) for line in output.get("traceback", [])])
    return out


def comparable(nb: Any) -> list[dict[str, Any]]:
    """The parts of each cell that must be equal between two runs of the same notebook."""
    cells = []
    for cell in nb["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        entry: dict[str, Any] = {
            "id": None if _ADDED_BY_PAPERMILL.intersection(tags) else cell.get("id"),
            "cell_type": cell["cell_type"],
            "source": _text(cell["source"]),
            "tags": list(tags),
        }
        if cell["cell_type"] == "code":
            entry["execution_count"] = cell.get("execution_count")
            entry["outputs"] = [_output(o) for o in cell.get("outputs", [])]
            entry["status"] = cell.get("metadata", {}).get("papermill", {}).get("status")
        cells.append(entry)
    return cells


def differences(a: Any, b: Any) -> list[str]:
    """Human-readable differences between two executed notebooks (empty when equal)."""
    left, right = comparable(a), comparable(b)
    found = []
    if len(left) != len(right):
        found.append(f"{len(left)} cells vs {len(right)} cells")
    for index, (x, y) in enumerate(zip(left, right, strict=False)):
        for key in sorted(set(x) | set(y)):
            if x.get(key) != y.get(key):
                found.append(f"cell {index} ({x.get('id')}) {key}: "
                             f"{str(x.get(key))[:300]!r} != {str(y.get(key))[:300]!r}")
    return found


def images(nb: Any) -> list[bytes]:
    """Every base64 image payload in the notebook's outputs, in order (for tests)."""
    found = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            for mime, value in output.get("data", {}).items():
                if mime.startswith("image/") and mime != "image/svg+xml":
                    found.append("".join(value).encode() if isinstance(value, list)
                                 else str(value).encode())
    return found
