"""Output formats: one self-describing unit each, and the contract between them and the engine.

As in Sphinx, a format registers itself by name with everything the engine needs to know
about it (:class:`Format`): its label, its place in the build order, the settings it reads
(only those are hashed into its targets), the formats whose outputs it needs, and where its
builder lives. The command line's choices, the build order, the manifest, the index page and
the input hashes all come from :data:`FORMATS`; nothing lists formats by hand. Adding a
format is one module with a builder and one :func:`register` line below.

A builder turns one translated :class:`~packager.document.Article` into the bytes of its
files. Builders never write into ``build/`` themselves: the engine writes atomically,
hashes inputs and records the manifest. They are imported lazily, by their dotted path, so
that ``packager --help`` never loads WeasyPrint or a TTS engine.
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


@dataclass(frozen=True)
class Format:
    """Everything the engine, the command line and the index page know about one output format."""

    name: str  # the --format name and the manifest's "format"
    label: str  # for people: the index page's link text
    builder: str  # "module:Class", imported only when the format is built
    order: int  # lower starts first: the longest work should not start last
    settings: tuple[str, ...] = ()  # settings (dotted names) the output depends on; only these are hashed
    needs: tuple[str, ...] = ()  # formats of the same article and locale whose outputs it reads
    #: A folder of build/ holding this format's locale folders ("site": build/site/<locale>/);
    #: "" for build/<locale>/.
    folder: str = ""
    #: "module:function" called as ``function(build_dir, manifest)`` after every build, to write
    #: the files the format shares between its targets (the site's home page and assets).
    finish: str = ""


#: Settings every target depends on: they decide which text a locale publishes.
TRANSLATION_SETTINGS = ("completeness_threshold", "outdated_translations")

FORMATS: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    """Add a format; the engine and the command line pick it up from here."""
    for need in fmt.needs:
        if need not in FORMATS:
            raise ValueError(f"format {fmt.name!r} needs {need!r}, which is not registered (register it first)")
        if FORMATS[need].order >= fmt.order:  # the engine decides a target after the targets it needs
            raise ValueError(f"format {fmt.name!r} needs {need!r}, so its order must be above {FORMATS[need].order}")
    FORMATS[fmt.name] = fmt
    return fmt


def formats() -> list[Format]:
    """Every registered format, in build order."""
    return sorted(FORMATS.values(), key=lambda f: (f.order, f.name))


def output_dir(build_dir: Path, name: str, locale: str) -> Path:
    """Where format ``name`` writes the files of ``locale``: ``build/<locale>/`` or ``build/<folder>/<locale>/``."""
    return build_dir / FORMATS[name].folder / locale


def get_builder(name: str) -> Builder:
    return load_builder(FORMATS[name].builder)


def main_output(name: str, article: Article) -> str:
    """The main file of a format for an article, relative to ``build/<locale>/``."""
    return get_builder(name).outputs(article)[0]


def load_builder(spec: str) -> Builder:
    module, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module), attr)()


PRINT_SETTINGS = ("paper_size", "clinic", "publish_url")

register(
    Format(
        "audio",
        "Audio",
        "packager.speech.builder:AudioBuilder",
        order=10,  # first: it takes longest
        settings=("audio", "clinic", "source_language"),
    )
)
register(Format("handout", "Handout (PDF)", "packager.render.pdf:HandoutBuilder", 20, PRINT_SETTINGS))
register(Format("large-print", "Large print (PDF)", "packager.render.pdf:LargePrintBuilder", 30, PRINT_SETTINGS))
register(Format("braille", "Braille", "packager.braille.builder:BrailleBuilder", 40, ("braille", "clinic")))
register(
    Format(
        "epub",
        "EPUB 3 with narration",
        "packager.render.epub:EpubBuilder",
        order=50,  # after the narration it carries
        settings=("clinic", "audio.reference_sections"),
        needs=("audio",),
    )
)
register(
    Format(
        "site",
        "Listening station (web page)",
        "packager.render.site:SiteBuilder",
        order=60,  # after the narration it plays
        settings=("clinic", "audio.reference_sections"),
        needs=("audio",),
        folder="site",
        finish="packager.render.site:write_home",
    )
)
