"""Errors a user can act on: each one names the file and line at fault."""

from __future__ import annotations

from pathlib import Path


class PackagerError(Exception):
    """Bad input or a refused operation; shown as one line, never as a traceback."""

    exit_code = 2

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{_display(self.path)}:{self.line}: " if self.line else f"{_display(self.path)}: "
        return f"{where}{self.message}"


class IncompleteTranslation(PackagerError):
    """A locale below the completeness threshold: building it would mix languages."""

    exit_code = 1

    def __init__(self, path: Path, locale: str, missing: list[str], percent: float, threshold: float):
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        super().__init__(
            f"locale {locale} is {percent:.0f}% translated, below the {threshold:g}% threshold; missing: {shown}",
            path,
        )
        self.locale = locale
        self.missing = missing


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
