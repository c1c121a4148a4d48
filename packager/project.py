"""Find the project and read ``packager.yaml`` into typed settings with defaults."""

from __future__ import annotations

import collections
import dataclasses
import os
import re
import types
import typing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from packager.errors import PackagerError

SETTINGS_FILE = "packager.yaml"
#: libyaml's parser where PyYAML has it (Debian's and PyPI's wheels do): ten times faster than
#: PyYAML's own, which every no-op build would otherwise spend on lexicons and front matter.
SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
LOCALE_NAME = re.compile(r"^[a-z]{2,3}(?:_[A-Za-z]{2,4})?(?:_[A-Z]{2}|_[0-9]{3})?$")


@dataclass(frozen=True)
class ClinicSettings:
    """Who hands the leaflet out: printed on every handout."""

    name: str = ""
    contact: str = ""
    country: str = "US"  # ISO 3166 code; chooses Letter or A4 when paper_size is auto


@dataclass(frozen=True)
class AudioSettings:
    """Narration: engine per locale, with one default for the rest."""

    engine: str = "espeak-ng"  # espeak-ng | piper | gtts
    engines: dict[str, str] = field(default_factory=dict)  # locale -> engine
    voices: dict[str, str] = field(default_factory=dict)  # locale -> voice name or Piper .onnx path
    fallback: str = ""  # engine to use when an online engine keeps failing
    rate: int = 0  # words a minute; 0 = the engine's comfortable default for the language
    bitrate: int = 64  # MP3 kbit/s, mono; 64 is transparent for speech at 22.05 kHz
    reference_sections: tuple[str, ...] = ("references",)  # section ids read as a short reference list


@dataclass(frozen=True)
class BrailleSettings:
    """Braille: the liblouis table per locale (else chosen from the tables' metadata) and the page."""

    tables: dict[str, str] = field(default_factory=dict)  # locale -> liblouis table file name, e.g. {es: es-g2.ctb}
    cells_per_line: int = 40  # the embosser's line length in cells
    lines_per_page: int = 25  # lines per page, the page number's line included


@dataclass(frozen=True)
class BuildSettings:
    """Where targets are built: the local process pool, or a Dask cluster for big libraries."""

    scheduler: str = ""  # a Dask scheduler's address (tcp://host:8786), "local-cluster", or "" for the local pool
    cache: str = ""  # a shared cache of built outputs by input hash: a folder or an fsspec URL (s3://...)


@dataclass(frozen=True)
class Settings:
    source_language: str = "en"
    locales: tuple[str, ...] = ()  # empty: every catalog under locales/
    completeness_threshold: float = 100.0
    paper_size: str = "auto"  # auto | A4 | Letter
    clinic: ClinicSettings = field(default_factory=ClinicSettings)
    publish_url: str = ""  # public address of build/: QR codes to the listening station's pages
    audio: AudioSettings = field(default_factory=AudioSettings)
    braille: BrailleSettings = field(default_factory=BrailleSettings)
    build: BuildSettings = field(default_factory=BuildSettings)
    #: publish: a translation of an earlier version of the article is built, marked outdated;
    #: refuse: it is not built (listed as refused) until it is brought up to date.
    outdated_translations: str = "publish"
    #: Formats a locale does without, by the clinic's choice: {ht: braille, tl: "audio, epub"}.
    #: Liblouis has no Haitian Creole table; a skipped format is not built and not listed.
    skip: dict[str, str] = field(default_factory=dict)

    def skipped(self, locale: str) -> set[str]:
        return {name.strip() for name in self.skip.get(locale, "").split(",") if name.strip()}


#: Whole-number settings with a floor below which the output cannot be made.
_MINIMUMS = {"braille.cells_per_line": 20, "braille.lines_per_page": 10}
#: MP3 bit rates (kbit/s) LAME writes as asked for 22.05 kHz mono speech: the MPEG-2 Layer III
#: table (ISO/IEC 13818-3) but 8, where LAME switches to MPEG-2.5, which players and our frame
#: reader do not take; any other number LAME silently rounds to one of these.
MP3_BITRATES = (16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
_CHOICES: dict[str, tuple[object, ...]] = {
    "paper_size": ("auto", "A4", "Letter"),
    "outdated_translations": ("publish", "refuse"),
    "audio.bitrate": MP3_BITRATES,
}


@dataclass(frozen=True)
class Project:
    root: Path
    settings: Settings

    @property
    def source_dir(self) -> Path:
        return self.root / "source"

    @property
    def locales_dir(self) -> Path:
        return self.root / "locales"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    def articles(self) -> list[Path]:
        paths = sorted(self.source_dir.glob("*.md"))
        if not paths:
            raise PackagerError("no articles found (expected source/*.md)", self.source_dir)
        return paths

    def template_path(self, slug: str) -> Path:
        return self.locales_dir / f"{slug}.pot"

    def catalog_path(self, locale: str, slug: str) -> Path:
        return self.locales_dir / check_locale_name(locale) / "LC_MESSAGES" / f"{slug}.po"

    def catalog_locales(self, slug: str) -> list[str]:
        """Locales to work on: those in settings, else every locale with a catalog."""
        if self.settings.locales:
            return list(self.settings.locales)
        found = sorted(p.parent.parent.name for p in self.locales_dir.glob(f"*/LC_MESSAGES/{slug}.po"))
        return [loc for loc in found if LOCALE_NAME.match(loc)]


def locale_fallbacks(locale: str) -> list[str]:
    """Where data for ``locale`` is looked for, most specific first: the one fallback rule.

    ``zh_Hant_TW`` -> ``zh_Hant_TW, zh_Hant, zh``; ``es_MX`` -> ``es_MX, es``.
    """
    parts = locale.split("_")
    return ["_".join(parts[:n]) for n in range(len(parts), 0, -1)]


def check_locale_name(locale: str, path: Path | None = None, line: int | None = None) -> str:
    """Refuse names that are not locales (and so could write outside locales/ or build/)."""
    if not LOCALE_NAME.match(locale):
        raise PackagerError(f"{locale!r} is not a locale name (like es, pt_BR or zh_Hans)", path, line)
    return locale


MAX_SETTINGS_BYTES = 1_000_000


def source_date_epoch() -> datetime | None:
    """The date reproducible builds ask for (SOURCE_DATE_EPOCH), or None."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return None
    if not re.fullmatch(r"[0-9]{1,11}", epoch):  # not str.isdigit: it takes "²"
        raise PackagerError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {epoch[:20]!r}")
    return datetime.fromtimestamp(int(epoch), UTC)


#: Project folders whose files may not be links to elsewhere (set by load_project).
_CONFINED: set[Path] = set()
#: Files a build holds a record of at once, in each of its per-file caches (the files read last,
#: the digests hashed last): a library's build holds no record per file of the library. Planning
#: takes an article's files together, so those it reads again are among the last ones.
HELD_FILES = 4096
#: The files read last: the stat each was read at and its sha256, so that hashing a file just
#: read for parsing (an article, a catalog) does not read it again (see :func:`read_digest`).
_READ: collections.OrderedDict[Path, tuple[tuple[int, ...], str]] = collections.OrderedDict()
RECENT_FILE_BYTES = 1_000_000
RECENT_BYTES = 4_000_000


class _RecentFiles(collections.OrderedDict[Path, tuple[tuple[int, ...], bytes]]):
    """Files' bytes by path, with the stat they were read at, least recently read first, at
    most RECENT_BYTES of them; the count of bytes goes with the entries (``clear`` resets it)."""

    held = 0  # bytes

    def keep(self, path: Path, stat: tuple[int, ...], data: bytes) -> None:
        old = self.pop(path, None)
        self.held -= len(old[1]) if old else 0
        if len(data) <= RECENT_FILE_BYTES:
            self[path] = (stat, data)
            self.held += len(data)
        while self.held > RECENT_BYTES:
            self.held -= len(self.popitem(last=False)[1][1])

    def clear(self) -> None:
        super().clear()
        self.held = 0


#: The bytes of the project's small files read last (a catalog hashed by the planner, then
#: parsed to translate; the UI catalog every article's checks parse), with the stat they were
#: read at: a second read of an unchanged file is a stat, not an open. Least recently read go
#: first. Files outside the project (fonts, programs) are only hashed, and not kept. Bounded,
#: so that a build's memory does not grow with the library: a library whose catalogs outgrow
#: it has each read twice (hashed when planned, parsed when translated), at worst.
_RECENT = _RecentFiles()


def stat_key(st: os.stat_result) -> tuple[int, ...]:
    """What any write to a file changes (the ctime, which no program can set back): the one key
    every stat-keyed store uses (bytes and digests read this build, inputs and outputs of earlier ones)."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def read_digest(path: Path) -> str | None:
    """The sha256 of a file as :func:`read_limited` last read it, if it has not changed since."""
    known = _READ.get(Path(os.path.abspath(path)))
    if known is None:
        return None
    try:
        return known[1] if stat_key(path.stat()) == known[0] else None
    except OSError:
        return None


def read_limited(path: Path, limit: int, what: str) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; anything else is a one-line error.

    The one reader for every input, used by hashing and parsing alike. Input files may be
    symlinks planted by a contributor: /dev/zero or a FIFO must not hang or exhaust memory,
    so the size is checked before reading and the read itself is bounded, and a file inside
    the project that links outside it (to /etc/passwd, say) is refused before it is opened.
    """
    try:
        absolute = Path(os.path.abspath(path))
        inside = [root for root in _CONFINED if absolute.is_relative_to(root)]
        if inside and not all(absolute.resolve().is_relative_to(root) for root in inside):
            raise PackagerError(f"the {what} is a link to a file outside the project", path)
        if not path.is_file():
            raise PackagerError(f"the {what} is not a regular file" if path.exists() else f"no such {what}", path)
        before = path.stat()
        if before.st_size > limit:
            raise PackagerError(f"the {what} is larger than {limit} bytes", path)
        recent = _RECENT.get(absolute)
        if recent is not None and recent[0] == stat_key(before):  # any write changes the ctime
            _RECENT.move_to_end(absolute)
            return recent[1]
        with path.open("rb") as handle:
            want = min(limit, before.st_size) + 1  # not limit + 1: read(n) allocates n bytes first
            data = handle.read(want)
            if len(data) == want and want <= limit:  # it grew since its stat: read on, up to the limit
                data += handle.read(limit + 1 - want)
            stat = stat_key(os.fstat(handle.fileno()))
    except OSError as exc:
        raise PackagerError(f"cannot read the {what}: {exc.strerror}", path) from None
    if len(data) > limit:
        raise PackagerError(f"the {what} is larger than {limit} bytes", path)
    import hashlib

    _READ[absolute] = (stat, hashlib.sha256(data).hexdigest())
    _READ.move_to_end(absolute)
    if len(_READ) > HELD_FILES:
        _READ.popitem(last=False)
    if inside:
        _RECENT.keep(absolute, stat, data)
    return data


def read_text_limited(path: Path, limit: int, what: str) -> str:
    """:func:`read_limited`, decoded as UTF-8 (a BOM is fine); bad bytes are an error naming the line."""
    data = read_limited(path, limit, what)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PackagerError(f"the {what} is not valid UTF-8 (save it as UTF-8)", path, line) from None


def find_root(start: Path) -> Path:
    """The project folder: ``start`` or its nearest parent holding ``source/``, as git finds ``.git``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "source").is_dir():
            return folder
    raise PackagerError(
        "not inside a packager project (no source/ folder here or in any parent); "
        f"run packager in the project folder or name it with -C DIR (looked from {start})"
    )


def load_project(root: Path) -> Project:
    root = root.resolve()
    if not root.is_dir():
        raise PackagerError("no such project folder", root)
    _CONFINED.add(root)
    path = root / SETTINGS_FILE
    settings = load_settings(path) if path.exists() else Settings()
    return Project(root=root, settings=settings)


def load_settings(path: Path) -> Settings:
    text = read_text_limited(path, MAX_SETTINGS_BYTES, "settings file")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise PackagerError(f"a control character (U+{exc.character:04X}) is not allowed", path, line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise PackagerError(
            f"invalid YAML: {exc.problem or exc.context}", path, mark.line + 1 if mark else None
        ) from None
    if node is None:
        return Settings()
    return _build(Settings, node, path, "")


def _build(cls: type, node: yaml.Node, path: Path, prefix: str) -> Any:
    if not isinstance(node, yaml.MappingNode):
        raise PackagerError(f"{prefix.rstrip('.') or 'settings'} must be a mapping", path, node.start_mark.line + 1)
    hints = typing.get_type_hints(cls)
    fields = {f.name for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key = key_node.value
        name = f"{prefix}{key}"
        line = key_node.start_mark.line + 1
        if not isinstance(key, str) or key in values:
            raise PackagerError(f"setting {name!r} is given twice or is not a name", path, line)
        if key not in fields:
            import difflib

            near = difflib.get_close_matches(str(key), fields, n=1, cutoff=0.6)
            hint = f"did you mean {prefix + near[0]!r}?" if near else f"known: {', '.join(sorted(fields))}"
            raise PackagerError(f"unknown setting {name!r} ({hint})", path, line)
        values[key] = _convert(hints[key], value_node, path, name, line)
    return cls(**values)


def _convert(hint: Any, node: yaml.Node, path: Path, name: str, line: int) -> Any:
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _build(hint, node, path, f"{name}.")
    try:
        value = yaml.safe_load(yaml.serialize(node))
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        problem = getattr(exc, "problem", None) or str(exc)
        raise PackagerError(f"setting {name!r} cannot be read: {problem}", path, line) from None
    origin = typing.get_origin(hint)
    ok: bool
    if origin in (tuple, dict):
        for item in value.items() if isinstance(value, dict) else value if isinstance(value, list) else ():
            for text in item if isinstance(item, tuple) else (item,):
                if isinstance(text, str):
                    _check_text(text, path, name, line)
    if origin is tuple:
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        value = tuple(value) if ok else value
        if ok and name == "locales":
            for v in value:
                check_locale_name(v, path, line)
    elif origin is dict:
        ok = isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
        if ok and name == "skip":
            _check_skip(value, path, line)
    elif hint is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        value = float(value) if ok else value
        if ok and name == "completeness_threshold" and not 0 <= value <= 100:
            raise PackagerError(f"setting {name!r} must be between 0 and 100", path, line)
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        if ok and value < _MINIMUMS.get(name, 0):
            raise PackagerError(f"setting {name!r} must be at least {_MINIMUMS[name]}", path, line)
    elif hint is str:
        ok = isinstance(value, str) or value is None
        value = value or ""
        if ok:
            _check_text(value, path, name, line)
    else:  # pragma: no cover - a new setting type needs a branch here
        raise TypeError(hint)
    if not ok:
        raise PackagerError(f"setting {name!r} has the wrong type: expected {_hint_name(hint)}", path, line)
    choices = _CHOICES.get(name)
    if choices and value not in choices:
        raise PackagerError(f"setting {name!r} must be one of {', '.join(map(str, choices))}", path, line)
    return value


def _check_skip(value: dict[str, str], path: Path, line: int) -> None:
    from packager.builders import FORMATS

    for locale, names in value.items():
        check_locale_name(locale, path, line)
        for fmt in (n.strip() for n in names.split(",")):
            if fmt not in FORMATS:
                raise PackagerError(
                    f"setting 'skip.{locale}' names {fmt!r}, which is not a format ({', '.join(FORMATS)})", path, line
                )


MAX_SETTING_CHARS = 2000


def _check_text(value: str, path: Path, name: str, line: int) -> None:
    """Settings are printed and spoken like translations: no hidden characters, no essays."""
    import unicodedata

    hidden = next((c for c in value if unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs") and c not in "\t"), None)
    if hidden is not None:
        raise PackagerError(f"setting {name!r} contains a hidden character (U+{ord(hidden):04X})", path, line)
    if len(value) > MAX_SETTING_CHARS:
        raise PackagerError(f"setting {name!r} is longer than {MAX_SETTING_CHARS} characters", path, line)
    if name == "publish_url" and value and not re.fullmatch(r"https?://[^\s]+", value):
        raise PackagerError(f"setting {name!r} must be an http:// or https:// address", path, line)


def _hint_name(hint: Any) -> str:
    origin = typing.get_origin(hint)
    if origin is tuple:
        return "a list of names"
    if origin is dict:
        return "a mapping of names to names"
    if isinstance(hint, types.GenericAlias):
        return str(hint)
    return {str: "text", float: "a number", int: "a whole number >= 0"}.get(hint, str(hint))
