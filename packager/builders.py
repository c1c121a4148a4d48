"""The contract between the build engine and the renderers at the edges.

One builder per output format, as in Sphinx: each turns one translated
:class:`~packager.document.Article` into the bytes of its files. Builders
never write into ``build/`` themselves: the engine writes atomically,
hashes inputs and records the manifest. Builders are imported lazily, by
name, so that ``packager --help`` never loads WeasyPrint or a TTS engine.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from packager.document import Article
from packager.project import Project

#: ``progress(done, total, label)``; a no-op when the user asked for --quiet.
Progress = Callable[[int, int, str], None]


def no_progress(done: int, total: int, label: str) -> None:
    return None


@dataclass
class Product:
    """What a builder made: file contents by path relative to ``build/<locale>/``."""

    files: dict[str, bytes]
    info: dict[str, Any] = field(default_factory=dict)  # e.g. {"pages": 4} or {"duration": 312.5}


class Builder(Protocol):
    name: str  # the --format name
    #: Heavy modules the build engine imports once, before it starts worker processes.
    preload: tuple[str, ...]

    def outputs(self, article: Article) -> list[str]:
        """Paths (relative to build/<locale>/) this builder writes; the main output first."""
        ...

    def inputs(self, project: Project, locale: str) -> list[Path | str]:
        """Everything besides the article and settings that the output depends on:
        template and CSS files, fonts, lexicons, engine names and versions. Hashed
        by the build engine to decide what is out of date."""
        ...

    def preflight(self, project: Project, locales: list[str]) -> None:
        """Raise PackagerError before any work starts if a locale cannot be built
        (a missing voice, an engine without the language)."""
        ...

    def build(self, article: Article, project: Project, progress: Progress) -> Product: ...


BUILDERS = {
    "handout": "packager.render.pdf:HandoutBuilder",
    "large-print": "packager.render.pdf:LargePrintBuilder",
    "audio": "packager.speech.builder:AudioBuilder",
}


def get_builder(name: str) -> Builder:
    module, _, attr = BUILDERS[name].partition(":")
    return getattr(importlib.import_module(module), attr)()
