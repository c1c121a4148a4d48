"""What a target depends on, as one digest: content hashes, never timestamps."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from packager import __version__, statcache
from packager.builders import TRANSLATION_SETTINGS, Builder, Format
from packager.document import Article
from packager.i18n.history import catalog_copy, snapshots
from packager.i18n.signoff import signoff_path
from packager.project import HELD_FILES, Project, read_digest, read_limited, stat_key
from packager.speech.lexicon import find_lexicon

MAX_INPUT_BYTES = 500_000_000  # fonts and images included


@lru_cache(HELD_FILES)  # cleared by forget() at each build; past it, the stat cache answers
def file_digest(path: Path) -> str:
    """sha256 of an input, read by the one bounded reader (no FIFO, device or link out of the project).

    Not read at all when this build or an earlier one hashed it at the same stat: any write
    changes a file's ctime, which no program can set back (as for outputs, see
    manifest.output_sha256). A file is read once per build.
    """
    if not path.exists() and not path.is_symlink():
        return "missing"
    key = os.path.abspath(path)
    st = path.stat()
    stat = list(stat_key(st))
    seen = statcache.recall(key, stat)
    if seen is not None:
        return str(seen)
    digest = read_digest(path) or hashlib.sha256(read_limited(path, MAX_INPUT_BYTES, "input file")).hexdigest()
    statcache.keep(key, stat, digest, max(st.st_mtime_ns, st.st_ctime_ns))
    return digest


def forget() -> None:
    """A second build in one process must see edits made since the first."""
    file_digest.cache_clear()
    _in_project.cache_clear()
    statcache.forget()


def inputs_hash(parts: Iterable[Path | str | bytes]) -> str:
    """One digest over every input; a path counts by its content, never its timestamp."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path):
            digest.update(f"file:{part.name}:{file_digest(part)}".encode())
        elif isinstance(part, bytes):
            digest.update(b"bytes:" + hashlib.sha256(part).digest())
        else:
            digest.update(f"str:{part}".encode())
        digest.update(b"\0")
    return digest.hexdigest()


def settings_read(project: Project, names: Iterable[str]) -> str:
    """The values of the named settings (dotted for nested ones), as stable text.

    Each target hashes only what its format reads, so changing ``audio.bitrate`` rebuilds
    no PDF (MkDocs' idea: the config schema is declared by the code that reads it).
    """
    values: dict[str, Any] = {}
    for name in names:
        value: Any = project.settings
        for part in name.split("."):
            value = getattr(value, part)
        is_instance = dataclasses.is_dataclass(value) and not isinstance(value, type)
        values[name] = dataclasses.asdict(value) if is_instance else value
    return json.dumps(values, sort_keys=True, ensure_ascii=False, default=list)


def target_inputs(project: Project, key: str, article: Article, locale: str, fmt: Format, builder: Builder) -> Inputs:
    """Everything a target's outputs depend on (``article`` is the source, read once by the planner)."""
    source = article.path
    parts: list[Path | str | bytes] = [f"packager {__version__}", key, source]
    parts += [source.parent / figure.src for figure in article.figures()]
    if locale != article.meta.language:
        parts.append(project.catalog_path(locale, article.slug))
        for snapshot in snapshots(project, article.slug):  # an outdated translation is built from one of these
            parts += [snapshot, catalog_copy(snapshot, locale)]
        # The sign-off decides the draft notice; it covers the lexicon too.
        parts.append(signoff_path(project, article.slug, locale))
        parts.append(find_lexicon(project.locales_dir, locale) or "no lexicon")
    parts.append(settings_read(project, (*TRANSLATION_SETTINGS, *fmt.settings)))
    parts.extend(builder.inputs(project, locale))
    parts.append(f"SOURCE_DATE_EPOCH={os.environ.get('SOURCE_DATE_EPOCH', '')}")
    files = tuple(dict.fromkeys(str(p) for p in parts if isinstance(p, Path) and _in_project(p, project.root)))
    return Inputs(inputs_hash(parts), files)


@lru_cache(HELD_FILES)
def _in_project(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())


@dataclass(frozen=True)
class Inputs:
    """A target's digest, and the files of the project it reads: what a worker without a checkout
    is sent (their paths as text: a library's cold build holds them for every target it queues)."""

    digest: str
    files: tuple[str, ...]
