"""Which fonts print which characters, decided before WeasyPrint runs.

WeasyPrint only logs a warning and prints a box (tofu) for a character that no
font covers; a patient would get a handout with holes in it. So the font stack
for a document is chosen here from the text itself, every character is checked
against the fonts' cmaps with fontTools, and a gap is a build error that names
the Debian package that would fill it.

Latin text uses Atkinson Hyperlegible (I, l and 1 are distinct; bundled as a
PyPI package and loaded with @font-face). Where it lacks letters (Vietnamese has
stacked diacritics Atkinson does not draw) Noto Sans is used: since version 2
its capital I has serifs, so it still differs from l and 1 (a test checks the
glyphs). Other scripts use the matching Noto Sans face from Debian's
fonts-noto-core/-cjk.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from packager import statcache
from packager.errors import PackagerError
from packager.i18n.cldr import likely_subtags

ATKINSON = "Atkinson Hyperlegible"
NOTO_SANS = "Noto Sans"

#: Families tried, in order, for characters the locale's own faces lack.
FALLBACKS = (NOTO_SANS, "DejaVu Sans", "Noto Sans Symbols", "Noto Sans Symbols 2", "Noto Sans Math")

#: The face for a script, by the first word of a character's Unicode name.
_SCRIPT_WORDS_CJK = {"CJK", "HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO", "IDEOGRAPHIC", "FULLWIDTH", "HALFWIDTH"}

#: Characters the themes add around the text: list bullets, separators, counters.
CHROME = "0123456789•·–—()/:,.- "

_SKIP_CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}  # controls, bidi marks, joiners: never drawn


@dataclass(frozen=True)
class Face:
    """One font family: the files a document may embed from it, and how to ask for it in CSS."""

    family: str
    regular: Path
    bold: Path
    italic: Path | None = None
    index: int = 0  # face number inside a .ttc collection
    bundled: bool = False  # loaded with @font-face rather than found by fontconfig

    def files(self, italics: bool) -> list[Path]:
        extra = [self.italic] if italics and self.italic else []
        return [self.regular, self.bold, *extra]


@dataclass(frozen=True)
class FontPlan:
    """The fonts for one document, in fallback order."""

    faces: tuple[Face, ...]

    @property
    def css_family(self) -> str:
        return ", ".join(f'"{face.family}"' for face in self.faces)

    def font_face_css(self, italics: bool) -> str:
        """@font-face rules for the bundled faces (system faces are found by fontconfig)."""
        rules = []
        for face in self.faces:
            if not face.bundled:
                continue
            styles = [("normal", 400, face.regular), ("normal", 700, face.bold)]
            if italics and face.italic:
                styles.append(("italic", 400, face.italic))
            for style, weight, path in styles:
                rules.append(
                    f'@font-face {{ font-family: "{face.family}"; font-style: {style}; '
                    f'font-weight: {weight}; src: url("{path.as_uri()}"); }}'
                )
        return "\n".join(rules)

    def files(self, italics: bool) -> list[Path]:
        return [path for face in self.faces for path in face.files(italics)]


def atkinson() -> Face:
    """The bundled Atkinson Hyperlegible face (PyPI fontpkg-atkinson-hyperlegible)."""
    try:
        import fontpkg_atkinson_hyperlegible as pkg
    except ImportError:  # pragma: no cover - a declared dependency
        raise PackagerError(
            "the Atkinson Hyperlegible font is missing: pip install fontpkg-atkinson-hyperlegible"
        ) from None
    root = Path(pkg.ROOT) / "files"
    return Face(
        ATKINSON,
        regular=root / "AtkinsonHyperlegible-Regular.ttf",
        bold=root / "AtkinsonHyperlegible-Bold.ttf",
        italic=root / "AtkinsonHyperlegible-Italic.ttf",
        bundled=True,
    )


@lru_cache(maxsize=128)
def system_face(family: str) -> Face | None:
    """An installed family, by its exact name, or None (fc-match always answers something)."""
    regular = _fc_match(family, "Regular")
    if regular is None:
        return None
    bold = _fc_match(family, "Bold") or regular
    italic = _fc_match(family, "Italic")
    return Face(family, regular[0], bold[0], italic[0] if italic else None, index=regular[1])


#: What fontconfig calls the upright, normal-weight face, in order of preference.
REGULAR_STYLES = ("Regular", "Book", "Normal", "Roman")


def _fc_match(family: str, style: str) -> tuple[Path, int] | None:
    faces = _installed_faces()
    for candidate in REGULAR_STYLES if style == "Regular" else (style,):
        if (family, candidate) in faces:
            return faces[family, candidate]
    return None


#: Every installed face, one per line: file, index, families, styles.
_FACES = ["fc-list", "-f", "%{file}\t%{index}\t%{family}\t%{style}\n"]


@lru_cache(maxsize=1)
def _installed_faces() -> dict[tuple[str, str], tuple[Path, int]]:
    """Every installed face by (family, style), from one ``fc-list`` call rather than one
    ``fc-match`` per face: planning a no-op build must stay fast."""
    faces: dict[tuple[str, str], tuple[Path, int]] = {}
    for line in sorted(_fc(_FACES)):
        parts = line.split("\t")
        if len(parts) != 4:
            continue
        path, index, families, styles = parts
        for family in families.split(","):
            for style in styles.split(","):
                faces.setdefault((family, style), (Path(path), int(index or 0)))
    return faces


@lru_cache(maxsize=64)
def _cmap(path: Path, index: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=index, lazy=True)
    try:
        return frozenset(font.getBestCmap() or {})
    finally:
        font.close()


@lru_cache(maxsize=16)
def _advances(path: Path, index: int) -> dict[int, float]:
    """Code point -> advance width in ems, from the face's horizontal metrics."""
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=index, lazy=True)
    try:
        metrics, units = font["hmtx"], font["head"].unitsPerEm
        return {code: metrics[name][0] / units for code, name in (font.getBestCmap() or {}).items()}
    finally:
        font.close()


def width_em(plan: FontPlan, text: str) -> float:
    """How wide ``text`` sets in the plan's regular faces, in ems, glyph by glyph (no kerning or
    shaping: an estimate, good to a few per cent); a character no face has counts 1 em."""
    total = 0.0
    for char in text:
        for face in plan.faces:
            advance = _advances(face.regular, face.index).get(ord(char))
            if advance is not None:
                total += advance
                break
        else:
            total += 1.0
    return total


def covers(face: Face, char: str) -> bool:
    return ord(char) in _cmap(face.regular, face.index)


#: Scripts Atkinson Hyperlegible or Noto Sans draw (chosen per character in plan_fonts).
_LATIN_SCRIPTS = frozenset({"Latn", "Cyrl", "Grek"})


def fontconfig_lang(locale: str) -> str:
    """fontconfig's language tag for a locale: zh_Hant -> zh-tw, ur -> ur (RFC 3066, lower case)."""
    language, _, region = likely_subtags(locale)
    return f"{language}-{region.lower()}" if language == "zh" and region else language


@lru_cache(maxsize=64)
def locale_family(locale: str) -> str | None:
    """The face for a locale's own script, from the families fontconfig says support its language
    (``fc-list :lang=xx``): one named for the language (Noto Nastaliq Urdu for Urdu, the style Urdu
    readers expect), else a sans face named for the script (Noto Sans Hebrew), else fontconfig's own
    sans-serif choice for the language (Noto Sans CJK TC for zh-tw, JP, KR: the regional glyph forms).
    None for Latin, Cyrillic and Greek, which Atkinson Hyperlegible and Noto Sans draw."""
    from babel import Locale

    language, script, _ = likely_subtags(locale)
    if script in _LATIN_SCRIPTS:
        return None
    lang = fontconfig_lang(locale)
    listed = _fc(["fc-list", f":lang={lang}", "family"]) or _fc(["fc-list", f":lang={language}", "family"])
    families = sorted({f for line in listed for f in line.split(",")[:1] if f})
    if not families:
        return None
    english = Locale.parse("en")
    language_name = english.languages.get(language, language)
    script_name = english.scripts.get(script, script)
    chosen = next(iter(_fc(["fc-match", f"sans-serif:lang={lang}", "-f", "%{family[0]}"])), "")

    def rank(family: str) -> tuple:
        return (
            language_name not in family,
            not ("Sans" in family and script_name in family),
            family != chosen,
            "Sans" not in family or "Mono" in family,
            family,
        )

    return min(families, key=rank)


def _fc(command: list[str]) -> list[str]:
    """fontconfig's answer, asked again only when its configuration or a font folder changed
    (installing a font package adds a file to one), so a no-op build runs no fontconfig tool."""
    binary = shutil.which(command[0])
    if binary is None:  # pragma: no cover - fontconfig comes with WeasyPrint's Pango
        raise PackagerError(f"{command[0]} not found: install the Debian package fontconfig")

    def ask() -> tuple[list[str], list[str]]:
        lines = subprocess.run(command, capture_output=True, text=True, check=False).stdout.splitlines()
        listing = lines if command == _FACES else _fc(_FACES)
        folders = [line.split("\t")[0].rpartition("/")[0] for line in listing]
        return lines, [binary, *_fontconfig_files(), *statcache.with_folders([*_FONT_ROOTS, *folders], top=_FONT_ROOTS)]

    environment = {name: os.environ.get(name, "") for name in _FONTCONFIG_ENVIRONMENT}
    return statcache.remembered(f"fontconfig {command} {environment}", ask)


#: What fontconfig reads before any font: its configuration, as Debian and the user set it.
_FONTCONFIG_ENVIRONMENT = ("FONTCONFIG_FILE", "FONTCONFIG_PATH", "FONTCONFIG_SYSROOT", "HOME", "XDG_CONFIG_HOME")


def _fontconfig_files() -> list[str]:
    return [
        os.environ.get("FONTCONFIG_FILE") or "/etc/fonts/fonts.conf",
        "/etc/fonts/local.conf",
        "/etc/fonts/conf.d",
        os.path.expanduser("~/.config/fontconfig/fonts.conf"),
        os.path.expanduser("~/.config/fontconfig/conf.d"),
    ]


#: Where fonts are installed (Debian's configuration): a font added to an empty one counts too.
_FONT_ROOTS = ["/usr/share/fonts", "/usr/local/share/fonts", os.path.expanduser("~/.local/share/fonts")]


def cjk_family(locale: str) -> str:
    """The CJK face for text in a CJK script: the locale's own when it has one (SC, TC, HK, JP, KR)."""
    family = locale_family(locale)
    return family if family and "CJK" in family else locale_family("zh_Hans") or "Noto Sans CJK SC"


def _script_family(char: str, locale: str) -> str | None:
    """A face for a character outside the locale's own script: the CJK face for the locale, Noto Sans
    for Latin, Greek and Cyrillic, else a sans face fontconfig says covers it (``fc-list :charset=``)."""
    word = unicodedata.name(char, "").split(" ")[0]
    if not word:
        return None
    if word in _SCRIPT_WORDS_CJK:
        return cjk_family(locale)
    if word in ("LATIN", "GREEK", "CYRILLIC"):
        return NOTO_SANS
    return _covering_family(f"{ord(char):x}")


@lru_cache(maxsize=256)
def _covering_family(codepoint: str) -> str | None:
    listed = _fc(["fc-list", f":charset={codepoint}", "family"])
    families = sorted({line.split(",")[0] for line in listed if line})
    ranked = sorted(families, key=lambda f: ("Sans" not in f or "Mono" in f, "Noto" not in f, f))
    return ranked[0] if ranked else None


def debian_package(char: str) -> str:
    """The Debian package whose fonts draw ``char``: what to tell the user to install."""
    word = unicodedata.name(char, "").split(" ")[0]
    code = ord(char)
    if word in _SCRIPT_WORDS_CJK or 0x2E80 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or code >= 0x20000:
        return "fonts-noto-cjk"
    if 0x1F000 <= code <= 0x1FAFF or (unicodedata.category(char) == "So" and 0x2600 <= code <= 0x27BF):
        return "fonts-noto-color-emoji"
    return "fonts-noto-core"


def base_families(locale: str) -> list[str]:
    """System families a locale needs whatever its text (checked up front by preflight)."""
    family = locale_family(locale)
    return [family] if family else []


def printable(chars: Iterable[str]) -> set[str]:
    """The characters that need a glyph: not controls, bidi marks, joiners or line breaks."""
    return {
        c
        for c in chars
        if unicodedata.category(c) not in _SKIP_CATEGORIES and not 0xFE00 <= ord(c) <= 0xFE0F and c not in "\n\t\r"
    }


def plan_fonts(locale: str, text: str) -> FontPlan:
    """The font stack that draws every character of ``text``, or a PackagerError naming the gaps."""
    needed = printable(text)
    latin_face = atkinson()
    latin = {c for c in needed if unicodedata.name(c, "").startswith("LATIN")}
    if any(not covers(latin_face, c) for c in latin):
        noto = system_face(NOTO_SANS)
        if noto is not None:
            latin_face = noto
    faces: list[Face] = [latin_face]
    for family in base_families(locale):
        face = system_face(family)
        if face is not None and face not in faces:
            faces.append(face)
    missing = sorted(c for c in needed if not any(covers(face, c) for face in faces))
    for char in missing:
        if any(covers(face, char) for face in faces):
            continue
        for fallback in (_script_family(char, locale), *FALLBACKS):
            face = system_face(fallback) if fallback else None
            if face is not None and covers(face, char):
                faces.append(face)
                break
    uncovered = sorted(c for c in missing if not any(covers(face, c) for face in faces))
    if uncovered:
        raise PackagerError(_uncovered_message(locale, uncovered))
    return FontPlan(tuple(faces))


def _uncovered_message(locale: str, chars: list[str]) -> str:
    by_package: dict[str, list[str]] = {}
    for char in chars:
        by_package.setdefault(debian_package(char), []).append(char)
    parts = []
    for package, group in sorted(by_package.items()):
        shown = ", ".join(f"{c!r} U+{ord(c):04X} {unicodedata.name(c, '?')}" for c in group[:8])
        more = f" and {len(group) - 8} more" if len(group) > 8 else ""
        parts.append(f"{shown}{more} (install the Debian package {package})")
    return f"locale {locale}: no available font prints " + "; ".join(parts)


def locale_font_files(locale: str, italics: bool) -> list[Path]:
    """Font files a document in ``locale`` may use, for input hashing (before its text is known)."""
    faces = [atkinson()]
    for family in (NOTO_SANS, *base_families(locale)):
        face = system_face(family)
        if face is not None:
            faces.append(face)
    return [path for face in faces for path in face.files(italics)]


def check_installed(locale: str) -> None:
    """Fail early when a locale's own script face is not installed."""
    for family in base_families(locale):
        if system_face(family) is None:
            package = "fonts-noto-cjk" if "CJK" in family else "fonts-noto-core"
            raise PackagerError(f"locale {locale} needs the font {family!r}: install the Debian package {package}")
