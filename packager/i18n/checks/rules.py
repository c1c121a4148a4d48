"""The per-message rules: one translated string against its source string.

Each rule returns ``(code, message)`` pairs; the code decides the severity
(see :data:`CODES`). Rules are pure functions of the two strings and the
locale, so they are tested and fuzzed without files.
"""

from __future__ import annotations

import html
import re
import unicodedata
import xml.etree.ElementTree as etree
from collections import Counter
from collections.abc import Callable, Iterator
from functools import lru_cache

from packager import inline
from packager.i18n import cldr
from packager.i18n.checks import numbers as num
from packager.segment import ends_sentence
from packager.source import block_kind, block_tree

ERROR, WARNING = "error", "warning"

#: code -> (severity, what it means). The severity policy, in one place.
CODES: dict[str, tuple[str, str]] = {
    # Errors: the locale is not built.
    "link-changed": (ERROR, "a link target differs from the source"),
    "address-changed": (ERROR, "a web or e-mail address or phone number in the text differs from the source"),
    "number-changed": (ERROR, "a number, dose, percentage or amount differs from the source"),
    "unit-changed": (ERROR, "the unit or currency of a number differs from the source"),
    "number-misread": (ERROR, "a dose written in the source's notation, which this locale reads as another number"),
    "structure-changed": (ERROR, "the translation parses to a different kind of block than the source"),
    "markup-changed": (ERROR, "emphasis, code or other inline markup differs from the source"),
    "empty-translation": (ERROR, "the translation has no visible text"),
    "invisible-character": (ERROR, "a bidirectional-control, zero-width or control character the source lacks"),
    "raw-html": (ERROR, "raw HTML in a translation"),
    "too-long": (ERROR, "the translation is longer than the limit"),
    "too-deep": (ERROR, "the translation nests markup deeper than the limit"),
    "plural-entry": (ERROR, "a plural entry where the source has one string"),
    "placeholder-changed": (ERROR, "a {placeholder} of packager's own words differs from the source"),
    "plural-forms": (ERROR, "plural entries that disagree with the catalog's own Plural-Forms header"),
    "language-mismatch": (ERROR, "the Language header names another locale"),
    "incomplete": (ERROR, "below the completeness threshold, with no earlier complete version: not built"),
    "outdated-refused": (ERROR, "only an earlier version is complete, and outdated translations are refused"),
    "lexicon-deletes": (ERROR, "a pronunciation-lexicon entry says nothing for a word"),
    "lexicon-number": (ERROR, "a pronunciation-lexicon entry says another number than it shows"),
    # Warnings: shown, never blocking.
    "number-format": (WARNING, "a number written in the source's notation, which this locale may misread"),
    "same-as-source": (WARNING, "the translation is identical to the source"),
    "length-ratio": (WARNING, "the translation is far shorter or longer than the source"),
    "end-punctuation": (WARNING, "the source ends a sentence and the translation does not"),
    "doubled-word": (WARNING, "a word is repeated"),
    "mixed-script": (WARNING, "a word mixes Latin with look-alike Cyrillic or Greek letters (a spoofed name?)"),
    "outdated": (WARNING, "a translation of an earlier version of the article: published, marked outdated"),
    "lexicon-number-words": (WARNING, "a lexicon entry says a written number in words: a reviewer confirms it"),
    "readability": (WARNING, "the translated article reads harder than the plain-language target"),
    "glossary-term-unused": (WARNING, "a translated glossary term the translated text never uses"),
    "ignored-signoff": (WARNING, "review fields or accept flags in the translator's catalog: ignored"),
    "unused-accept": (WARNING, "an accept- flag that accepts nothing (stale)"),
    "unknown-accept": (WARNING, "an accept- flag naming no known check"),
}

#: Longest translation accepted, in characters. The longest source paragraph is a few hundred.
MAX_CHARS = 5000
#: Most emphasis, link and code delimiters in one message; beyond it Python-Markdown recurses deeply.
MAX_DELIMITERS = 300
#: Deepest inline nesting (e.g. a link inside bold inside emphasis is 3).
MAX_DEPTH = 8

Rule = Callable[[str, str, str], Iterator[tuple[str, str]]]


def check_message(source: str, translation: str, locale: str) -> list[tuple[str, str]]:
    """Findings for one translated message, as (code, message); [] when it is fine."""
    if not translation.strip():
        # Before any parsing: inline.parse() of blank text returns the previous text's tree.
        return [("empty-translation", "the translation is empty or only spaces, markup or invisible characters")]
    if len(translation) > MAX_CHARS:
        return [("too-long", f"the translation has {len(translation)} characters; the limit is {MAX_CHARS}")]
    delimiters = sum(translation.count(c) for c in "*_[]`<")
    if delimiters > MAX_DELIMITERS:
        return [("too-deep", f"the translation has {delimiters} markup delimiters; the limit is {MAX_DELIMITERS}")]
    try:
        depth = _depth(inline.parse(translation)) - 1
    except RecursionError:
        depth = MAX_DEPTH + 1
    if depth > MAX_DEPTH:
        return [("too-deep", f"markup is nested {depth} levels deep; the limit is {MAX_DEPTH}")]
    findings: list[tuple[str, str]] = []
    for rule in RULES:
        findings.extend(rule(source, translation, locale))
    return findings


def _depth(node: etree.Element) -> int:
    return 1 + max((_depth(child) for child in node), default=0)


# --- errors -------------------------------------------------------------------------------------

_INVISIBLE_EXTRA = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800", "\u180e"}


@lru_cache(maxsize=8192)  # asked of every character of every message
def _invisible(char: str) -> bool:
    category = unicodedata.category(char)
    if char == "\u00ad":  # soft hyphen: a hyphenation hint, shown only at a line break
        return False
    return (
        category in ("Cf", "Zl", "Zp", "Co", "Cs", "Cn")
        or (category == "Cc" and char not in "\n\t")
        or char in _INVISIBLE_EXTRA
    )


def _char_name(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed character')}"


#: Zero-width non-joiner and joiner spell words in Persian, Urdu and Indic scripts (CLDR writes
#: "میلی‌گرم" for milligrams): inside a word, after a letter or mark and before a letter, they are text.
_JOINERS = "\u200c\u200d"


def _in_word(text: str, index: int) -> bool:
    if text[index] not in _JOINERS or index == 0 or index + 1 == len(text):
        return False
    return unicodedata.category(text[index - 1])[0] in "LM" and text[index + 1].isalpha()


def invisible_characters(source: str, translation: str, locale: str) -> Iterator[tuple[str, str]]:
    counts = Counter(c for i, c in enumerate(translation) if _invisible(c) and not _in_word(translation, i))
    for char, n in sorted(counts.items()):
        if n > source.count(char):
            yield "invisible-character", f"invisible character {_char_name(char)} that the source does not have"


def empty(source: str, translation: str, locale: str) -> Iterator[tuple[str, str]]:
    visible = "".join(c for c in inline.plain(translation) if not c.isspace() and not _invisible(c))
    if not visible:
        yield "empty-translation", "the translation is empty or only spaces, markup or invisible characters"


def raw_html(source: str, translation: str, locale: str) -> Iterator[tuple[str, str]]:
    for text, how in ((translation, ""), (html.unescape(translation), " (written with character references)")):
        match = inline._RAW_HTML.search(text)
        if match and not inline.has_raw_html(source):
            yield "raw-html", f"raw HTML {match.group(0)[:40]!r}{how} is not allowed; use Markdown"
            return


_BLOCK_NAMES = {
    "p": "a paragraph",
    "ul": "a bulleted list",
    "ol": "a numbered list",
    "blockquote": "a quotation",
    "pre": "a code block",
    "hr": "a horizontal rule",
    "table": "a table",
}


@lru_cache(maxsize=4096)  # a source string is checked against every locale's translation of it
def block_kinds(text: str) -> tuple[str, ...]:
    """The block elements ``text`` parses to on its own: ('p',) for every source string."""
    return tuple(block_kind(node) for node in block_tree(text).children)


def _describe_blocks(kinds: tuple[str, ...]) -> str:
    names = [_BLOCK_NAMES.get(k, f"a level-{k[1]} heading" if re.fullmatch(r"h\d", k) else k) for k in kinds]
    return " + ".join(names) or "nothing"


def structure(source: str, translation: str, locale: str) -> Iterator[tuple[str, str]]:
    kinds_s, kinds_t = block_kinds(source), block_kinds(translation)
    if kinds_s != kinds_t:
        yield (
            "structure-changed",
            f"the translation parses as {_describe_blocks(kinds_t)}, the source as {_describe_blocks(kinds_s)}",
        )
    shape_s, shape_t = _markup(source), _markup(translation)
    for tag in sorted(set(shape_s) | set(shape_t)):
        if shape_s[tag] != shape_t[tag]:
            yield "markup-changed", f"{_tag_name(tag)}: {shape_s[tag]} in the source, {shape_t[tag]} in the translation"
    code_s = Counter("".join(c.itertext()) for c in inline.parse(source).iter("code"))
    code_t = Counter("".join(c.itertext()) for c in inline.parse(translation).iter("code"))
    for text in sorted((code_s - code_t) + (code_t - code_s)):
        yield "markup-changed", f"code `{text[:40]}` must be kept exactly as in the source"


def _markup(text: str) -> Counter[str]:
    return Counter(tag for tag in inline.structure(text) if not tag.startswith("a:"))


def _tag_name(tag: str) -> str:
    return {
        "em": "*emphasis*",
        "strong": "**bold**",
        "code": "`code`",
        "br": "line break",
        "img": "image",
        "a": "link",
    }.get(tag, tag)


def links(source: str, translation: str, locale: str) -> Iterator[tuple[str, str]]:
    hrefs_s = Counter(link.href for link in inline.links(source))
    hrefs_t = Counter(link.href for link in inline.links(translation))
    for href in sorted(hrefs_s - hrefs_t):
        yield "link-changed", f"the link to {href!r} is missing"
    for href in sorted(hrefs_t - hrefs_s):
        yield "link-changed", f"link target {href!r} is not in the source"


def link_text_hosts(source: str, translation: str, locale: str) -> Iterator[tuple[str, str]]:
    """A link whose text names a host must lead to that host: '[clinicaltrials.gov.xyz](https://clinicaltrials.gov/)'."""
    for link in inline.links(translation):
        if not re.match(r"(?i)https?://", link.href):
            continue
        target = num.host_of(link.href)
        for address in num.addresses(link.text)[0]:
            if address.kind == "url" and num.host_of(address.value) != target:
                yield "address-changed", f"the link text names {address.value!r} but the link goes to {target!r}"


def written_addresses(source: str, translation: str, locale: str) -> Iterator[tuple[str, str]]:
    found_s, _ = num.addresses(inline.plain(source))
    found_t, _ = num.addresses(inline.plain(translation), locale)
    hrefs_s = {inline.bare_address(link.href) for link in inline.links(source)}
    hrefs_t = {inline.bare_address(link.href) for link in inline.links(translation)}
    values_s = {a.value for a in found_s}
    values_t = {a.value for a in found_t}
    for address in found_t:
        if address.value not in values_s and address.value not in hrefs_s:
            yield "address-changed", f"{_kind(address.kind)} {address.value!r} is not in the source"
    for address in found_s:
        if address.value not in values_t and address.value not in hrefs_t:
            yield "address-changed", f"{_kind(address.kind)} {address.value!r} from the source is missing"


def _kind(kind: str) -> str:
    return {"url": "web address", "email": "e-mail address", "phone": "phone number"}[kind]


def number_rule(source: str, translation: str, locale: str) -> Iterator[tuple[str, str]]:
    plain_s, plain_t = inline.plain(source), inline.plain(translation)
    _, text_s = num.addresses(plain_s)
    _, text_t = num.addresses(plain_t, locale)
    found_s = num.numbers(text_s, "en", "en")
    found_t = num.numbers(text_t, locale, "en")
    diff = num.compare(found_s, found_t, num.word_numbers(plain_s))
    for n in diff.missing:
        yield "number-changed", f"{_show(n)} from the source is missing"
    for n in diff.added:
        yield "number-changed", f"{_show(n)} is not in the source"
    for src, tgt in diff.unit_changed:
        if tgt.unit is None and not cldr.has_unit_words(locale):
            continue  # "3 mwa": CLDR has no unit words for this language to read it with
        yield "unit-changed", f"{_show(tgt)} has {_unit(tgt.unit)}; the source has {_show(src)} with {_unit(src.unit)}"
    for src, tgt in diff.misread:
        dose = bool({*str(src.unit).split("|"), *str(tgt.unit).split("|")} & num.DOSE_UNITS)
        yield (
            "number-misread" if dose else "number-format",
            f"{tgt.raw!r} keeps the source's notation; in {locale} it reads as {_num(tgt.values[0])}, "
            f"not {_num(src.values[0])}",
        )


def _num(value) -> str:
    return format(value.normalize(), "f")


def _show(n: num.Number) -> str:
    return f"{n.raw!r}" + (f" ({n.unit})" if n.unit else "")


def _unit(unit: str | None) -> str:
    return unit or "no unit"


# --- warnings -----------------------------------------------------------------------------------


def same_as_source(source: str, translation: str, locale: str) -> Iterator[tuple[str, str]]:
    words = re.findall(r"[^\W\d_]{2,}", num.addresses(inline.plain(source))[1])
    if translation.strip() == source.strip() and len(words) >= 3:
        yield "same-as-source", "the translation is identical to the source (untranslated?)"


_CJK_LOCALES = ("zh", "ja", "ko")


def length_ratio(source: str, translation: str, locale: str) -> Iterator[tuple[str, str]]:
    size_s = len("".join(inline.plain(source).split()))
    size_t = len("".join(inline.plain(translation).split()))
    if size_s < 20 or not size_t:
        return
    low, high = (0.12, 1.5) if locale.split("_")[0] in _CJK_LOCALES else (0.33, 3.0)
    ratio = size_t / size_s
    if not low <= ratio <= high:
        yield "length-ratio", f"the translation is {ratio:.2f} times the length of the source (expected {low}-{high})"


#: A clause may end where the source ends a sentence (a colon before a list): not a sentence end in
#: ICU's rules, yet no reason to warn.
_CLAUSE_ENDS = ":;…：；"
_CLOSERS = "\"')]}*_`”’»）」』】 \u00a0"


def end_punctuation(source: str, translation: str, locale: str) -> Iterator[tuple[str, str]]:
    """Sentence ends by ICU's rules for each language ("。", "؟", "।", "።" ...)."""
    plain_s, plain_t = inline.plain(source), inline.plain(translation)
    end_s, end_t = plain_s.rstrip(_CLOSERS)[-1:], plain_t.rstrip(_CLOSERS)[-1:]
    if not end_s or not end_t or end_t in _CLAUSE_ENDS or not ends_sentence(plain_s, "en"):
        return
    if not ends_sentence(plain_t, locale):
        yield "end-punctuation", f"the source ends with {end_s!r}, the translation with {end_t!r}"


_DOUBLED = re.compile(r"(?<!\w)([^\W\d_]{2,})\s+\1(?!\w)", re.IGNORECASE)


def doubled_words(source: str, translation: str, locale: str) -> Iterator[tuple[str, str]]:
    in_source = {m.group(1).casefold() for m in _DOUBLED.finditer(inline.plain(source))}
    for match in _DOUBLED.finditer(inline.plain(translation)):
        if match.group(1).casefold() not in in_source:
            yield "doubled-word", f"doubled word {match.group(0)!r}"


_WORD = re.compile(r"[^\W\d_]+(?:[.-][^\W\d_]+)*")
_LOOKALIKE_SCRIPTS = ("CYRILLIC", "GREEK")
_ALLOWED_GREEK = {"μ", "µ"}  # micro, in µg


@lru_cache(maxsize=8192)
def _script(char: str) -> str:
    return unicodedata.name(char, "").split(" ", 1)[0]


def mixed_script(source: str, translation: str, locale: str) -> Iterator[tuple[str, str]]:
    for match in _WORD.finditer(inline.plain(translation)):
        word = match.group(0)
        if word.isascii():  # Latin only
            continue
        scripts = {_script(c) for c in word if c not in _ALLOWED_GREEK}
        if "LATIN" in scripts and scripts & set(_LOOKALIKE_SCRIPTS) and word not in source:
            odd = next(c for c in word if _script(c) in _LOOKALIKE_SCRIPTS and c not in _ALLOWED_GREEK)
            yield "mixed-script", f"{word!r} mixes Latin letters with {_char_name(odd)}"
            return


RULES: tuple[Rule, ...] = (
    empty,
    invisible_characters,
    raw_html,
    structure,
    links,
    written_addresses,
    link_text_hosts,
    number_rule,
    same_as_source,
    length_ratio,
    end_punctuation,
    doubled_words,
    mixed_script,
)
