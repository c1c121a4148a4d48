"""liblouis, through its ``lou_translate`` tool, and its tables chosen by their own metadata.

Why the tool and not the ``louis`` Python binding: the binding is Debian's ``python3-louis``,
installed for the system Python, and has no release on PyPI; packager runs in its own virtual
environment of locked packages, which cannot import it without reaching into the system's
site-packages. ``lou_translate`` (``liblouis-bin``) reads one text per line and writes one
braille line per line, so a whole article is one process per table, and its version is an
input of every braille target.

Every table that can be asked for by what it is carries metadata lines
(``#+language: en``, ``#+type: literary``, ``#+contraction: full``, ``#+grade: 2``,
``#+direction: both``, ...). A locale's table is the best literary table for its language
(see :func:`rank`), unless ``braille.tables`` in ``packager.yaml`` names one.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from packager.errors import PackagerError

DEFAULT_TABLE_DIR = Path("/usr/share/liblouis/tables")
#: liblouis's display table for Unicode braille (U+2800...): cells in, cells out.
UNICODE_DISPLAY = "unicode.dis"
#: liblouis's display table for North American Braille ASCII, the character set of BRF files.
BRF_DISPLAY = "en-us-brf.dis"
TOOL = "lou_translate"
_META = re.compile(r"^#\+([\w-]+)\s*:\s*(.*?)\s*$")
_DISPLAY_NAME = re.compile(r"^#-display-name\s*:\s*(.*?)\s*$")
_CONTRACTION = {"full": 2, "partial": 1, "no": 0}


def table_dirs() -> list[Path]:
    """Where liblouis looks for tables: ``LOUIS_TABLEPATH`` (comma-separated), then its data folder."""
    extra = [Path(p) for p in os.environ.get("LOUIS_TABLEPATH", "").split(",") if p.strip()]
    return [*extra, DEFAULT_TABLE_DIR]


@dataclass(frozen=True)
class Table:
    name: str  # the file name, as liblouis is given it
    path: Path
    meta: tuple[tuple[str, str], ...]  # every #+key: value line, in order (a key may repeat)
    display_name: str = ""

    def get(self, key: str) -> str:
        return next((value for k, value in self.meta if k == key), "")

    def values(self, key: str) -> list[str]:
        return [value for k, value in self.meta if k == key]

    @property
    def contraction(self) -> int:
        return _CONTRACTION.get(self.get("contraction"), 0)

    @property
    def reversible(self) -> bool:
        """Usable for back-translation too (the metadata's default direction is both)."""
        return self.get("direction") in ("", "both")

    def describe(self) -> str:
        """For people: "en-ueb-g2.ctb (literary, grade 2)"."""
        grade = self.get("grade")
        details = [self.get("type") or "braille", f"grade {grade}" if grade else "", self.get("system")]
        return f"{self.name} ({', '.join(d for d in details if d)})"


def read_table(path: Path) -> Table:
    meta: list[tuple[str, str]] = []
    display = ""
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if line.strip() and not line.startswith("#"):
                break  # metadata lives in the table's opening comments: no need to read the rules
            if match := _META.match(line):
                meta.append((match.group(1).lower(), match.group(2)))
            elif match := _DISPLAY_NAME.match(line):
                display = match.group(1)
    return Table(path.name, path, tuple(meta), display)


@lru_cache(maxsize=1)
def all_tables() -> tuple[Table, ...]:
    """Every table that describes itself with metadata, first folder first for a repeated name.

    Read once per set of folders, until a package adds, removes or replaces a table in one.
    """
    from packager import statcache

    def ask() -> tuple[list, list[Path]]:
        seen: dict[str, Table] = {}
        for folder in folders:
            for path in sorted(folder.glob("*")) if folder.is_dir() else ():
                if path.suffix in (".ctb", ".utb", ".tbl") and path.name not in seen and path.is_file():
                    table = read_table(path)
                    if table.meta:
                        seen[path.name] = table
        return [[t.name, str(t.path), t.meta, t.display_name] for t in seen.values()], folders

    folders = table_dirs()
    found = statcache.remembered(f"liblouis tables in {','.join(map(str, folders))}", ask)
    return tuple(Table(name, Path(path), tuple(map(tuple, meta)), display) for name, path, meta, display in found)


@dataclass(frozen=True)
class Tag:
    """A language tag as the comparison needs it: language, script, region (any may be empty)."""

    language: str
    script: str
    region: str


@lru_cache(maxsize=256)
def parse_tag(tag: str) -> Tag:
    """``zh_Hans`` or ``cmn-Hans`` or ``en-US`` -> Tag, the language by CLDR's aliases (cmn -> zh)."""
    from babel.core import get_global

    parts = re.split(r"[-_]", tag.strip())
    language = parts[0].lower()
    alias = get_global("language_aliases").get(language)
    language = alias.split("_")[0] if isinstance(alias, str) else language
    script = next((p.title() for p in parts[1:] if len(p) == 4 and p.isalpha()), "")
    region = next((p.upper() for p in parts[1:] if len(p) in (2, 3) and (p.isalpha() or p.isdigit())), "")
    return Tag(language, script, region)


@lru_cache(maxsize=64)
def likely_script(tag: Tag) -> str:
    """The script a language is written in when the tag does not say (CLDR likely subtags)."""
    if tag.script:
        return tag.script
    from babel import Locale, UnknownLocaleError

    try:
        code = "_".join(p for p in (tag.language, tag.region) if p)
        return Locale.parse(code).script or _likely(code)
    except (ValueError, UnknownLocaleError):
        return ""


def _likely(code: str) -> str:
    from babel.core import get_global

    found = get_global("likely_subtags").get(code) or get_global("likely_subtags").get(code.split("_")[0], "")
    parts = found.split("_")
    return next((p for p in parts[1:] if len(p) == 4), "")


def likely_region(tag: Tag) -> str:
    """The region where a language (in its script) is mostly used when the tag does not say:
    CLDR likely subtags (zh_Hant -> TW, zh_Hans -> CN)."""
    if tag.region:
        return tag.region
    from babel.core import get_global

    likely = get_global("likely_subtags")
    code = "_".join(p for p in (tag.language, tag.script) if p)
    found = likely.get(code) or likely.get(tag.language, "")
    return next((p for p in found.split("_")[1:] if len(p) in (2, 3) and not p.istitle()), "")


def rank(locale: str, table: Table) -> tuple[int, int, int, int, int, str] | None:
    """How well ``table`` serves ``locale``, smaller first; None when it cannot serve it at all.

    Only literary tables for the locale's language, never 8-dot ones (a BRF holds 6 dots).
    Then, in order: a table for no region or for the locale's own; one for the region where CLDR
    says the locale is mostly used (Taiwan's braille for zh_Hant); one in the locale's script;
    one usable both ways (so the BRF is verified by translating it back); the most contracted
    (that is what readers of a language's standard braille read: UEB grade 2 for English);
    and the name, so the choice never depends on the order of files on disk.
    """
    if table.get("type") != "literary" or table.get("dots") == "8" or table.get("direction") == "backward":
        return None
    want = parse_tag(locale)
    tags = [parse_tag(value) for value in table.values("language")]
    if not any(tag.language == want.language for tag in tags):
        return None
    region = table.get("region")
    region_tag = parse_tag(region) if region else None
    other_region = int(region_tag is not None and region_tag.region != want.region)
    unlikely_region = int(region_tag is not None and region_tag.region != likely_region(want))
    scripts = {tag.script for tag in tags if tag.script}
    script = 0 if likely_script(want) in scripts else 1 if not scripts else 2
    grade = int(table.get("grade")) if table.get("grade").isdigit() else 0
    reversible = int(not table.reversible)
    return (other_region, unlikely_region, script, reversible, -table.contraction * 10 - grade, table.name)


def table_setting(locale: str) -> str:
    return f"braille.tables.{locale}"


def find_table(name: str) -> Table | None:
    """A table file by its name (with or without metadata), only from liblouis's table folders."""
    if "/" in name or name.startswith("."):
        return None
    found = next((t for t in all_tables() if t.name == name), None)
    path = next((folder / name for folder in table_dirs() if (folder / name).is_file()), None)
    return found or (read_table(path) if path else None)


def choose_table(locale: str, overrides: dict[str, str]) -> Table:
    """The table for ``locale``: the setting's, else the best by metadata; a PackagerError naming
    the setting when there is none."""
    if not shutil.which(TOOL):
        raise PackagerError(f"{TOOL} is not installed (Debian package liblouis-bin, see debian-packages.txt)")
    if locale in overrides:
        table = find_table(overrides[locale])
        if table is None:
            raise PackagerError(
                f"no liblouis table named {overrides[locale]!r} (setting {table_setting(locale)!r}); "
                f"the tables are in {', '.join(map(str, table_dirs()))}"
            )
        return table
    ranked = sorted((r, t) for t in all_tables() if (r := rank(locale, t)) is not None)
    if not ranked:
        raise PackagerError(
            f"no liblouis literary braille table for {locale!r}; "
            f"name one in packager.yaml as {table_setting(locale)!r} (a file in {DEFAULT_TABLE_DIR}), "
            f"or do without braille for it: 'skip: {{{locale}: braille}}'"
        )
    return ranked[0][1]


def exact_table(locale: str, table: Table) -> Table:
    """The table for text that must be copied exactly (addresses, phone numbers, doses): the
    uncontracted table of the same language and braille system, else ``table`` itself."""
    if table.contraction == 0:
        return table
    system = table.get("system")
    same = [t for t in all_tables() if t.get("contraction") == "no" and t.get("system") == system]
    ranked = sorted((r, t) for t in same if (r := rank(locale, t)) is not None)
    return ranked[0][1] if ranked else table


@lru_cache(maxsize=1)
def version() -> str:
    """liblouis's version (every braille target hashes it), asked again only when the program changed."""
    from packager.statcache import tool_version

    def probe() -> str:
        try:
            result = subprocess.run([TOOL, "--version"], capture_output=True, text=True, check=False)
        except FileNotFoundError:
            return TOOL
        return result.stdout.splitlines()[0] if result.stdout else TOOL

    return tool_version(TOOL, probe)


def translate(texts: list[str], table: Table, *, backward: bool = False) -> list[str]:
    """Each text as Unicode braille (or, ``backward``, each braille line as text): one process."""
    if not texts:
        return []
    # One line each (the tool reads lines), backslashes escaped (it reads escapes like "\\x20").
    lines = [" ".join(text.split()).replace("\\", "\\\\") for text in texts]
    command = [TOOL, "--backward" if backward else "--forward", f"{UNICODE_DISPLAY},{table.path}"]
    result = subprocess.run(
        command, input="\n".join(lines) + "\n", capture_output=True, text=True, encoding="utf-8", check=False
    )
    out = result.stdout.split("\n")[: len(lines)]
    if result.returncode != 0 or len(out) != len(lines):
        problem = result.stderr.strip().splitlines()[-1:] or [f"exit code {result.returncode}"]
        raise PackagerError(f"{TOOL} failed with table {table.name}: {problem[0]}")
    return out


@lru_cache(maxsize=1)
def brf_characters() -> dict[int, str]:
    """Braille ASCII by dot pattern (bit 0 = dot 1 ... bit 5 = dot 6), from liblouis's BRF display table."""
    path = next((folder / BRF_DISPLAY for folder in table_dirs() if (folder / BRF_DISPLAY).is_file()), None)
    if path is None:
        raise PackagerError(f"liblouis's {BRF_DISPLAY} is missing (Debian package liblouis-data)")
    found: dict[int, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0] == "display" and parts[2].isdigit():
            char = {"\\s": " ", "\\\\": "\\"}.get(parts[1], parts[1])
            bits = sum(1 << (int(d) - 1) for d in parts[2] if d != "0")
            if len(char) == 1 and char.isascii():
                found.setdefault(bits, char.upper())
    if len(found) != 64:
        raise PackagerError(f"{path} does not define all 64 six-dot cells")
    return found


def to_brf(cells: str) -> str:
    """Unicode braille (dots 1-6) -> Braille ASCII."""
    table = brf_characters()
    out = []
    for cell in cells:
        bits = ord(cell) - 0x2800
        if not 0 <= bits < 64:
            raise PackagerError(f"cell U+{ord(cell):04X} is not six-dot braille and cannot be written to a BRF")
        out.append(table[bits])
    return "".join(out)
