"""One exception tree for the package.

Every error the package raises on bad input is a :class:`KpiError`. Subclasses also
derive from the matching built-in (``ValueError``, ``OSError`` ...) so callers that
catch the built-in keep working. Each carries the offending ``text`` and ``where`` it
came from (file, line, sheet!cell ...), and says both in its message.
"""

from __future__ import annotations


class KpiError(Exception):
    """Root of all kpi errors.

    ``text`` is the offending input (may be ``None``), ``where`` a human locator
    such as ``"data/raw/x.csv row 4, column 'Quý I'"``.
    """

    def __init__(self, message: str, *, text: str | None = None, where: str | None = None):
        self.reason = message
        self.text = text
        self.where = where
        parts = [message]
        if text is not None:
            parts.append(f"text: {text!r}")
        if where:
            parts.append(f"at {where}")
        super().__init__("; ".join(parts))


class NumberParseError(KpiError, ValueError):
    """A number, amount or percentage that cannot be read.

    ``suggestion`` holds a plausible reading when there is one.
    """

    def __init__(
        self,
        message: str,
        *,
        text: str | None = None,
        where: str | None = None,
        suggestion: float | None = None,
    ):
        self.suggestion = suggestion
        if suggestion is not None:
            message = f"{message} (did you mean {suggestion:g}?)"
        super().__init__(message, text=text, where=where)


class PeriodError(KpiError, ValueError):
    """A quarter or period label that cannot be read."""


class CatalogError(KpiError, ValueError):
    """An invalid indicator catalogue entry (names the entry and the field)."""


class SchemaError(KpiError, ValueError):
    """An observation table that breaks the contract."""


class SourceError(KpiError, OSError):
    """A raw file that cannot be read (missing, binary, undecodable, malformed)."""


class TableError(KpiError, ValueError):
    """A table cell or header that cannot be turned into observations."""


class CorrectionError(KpiError, ValueError):
    """A row of ``corrections.csv`` that is malformed or matches nothing."""


class RunError(KpiError, RuntimeError):
    """A quarterly run that cannot start or did not finish cleanly."""


class UnsafeParameterError(KpiError, ValueError):
    """A quarter, area or notebook name that would build an unsafe path."""
