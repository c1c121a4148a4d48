"""Inline Markdown, parsed once by Python-Markdown with raw HTML switched off.

Renderers, the speech script and the translation checks all read inline
markup through this module, so they agree on what a string contains.
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from functools import lru_cache
from html import escape, unescape

import markdown
from markdown.treeprocessors import Treeprocessor

#: Link schemes a handout may carry; anything else is printed as text only.
SAFE_SCHEMES = ("https://", "http://", "mailto:", "tel:")

_RAW_HTML = re.compile(r"<(?!(?:https?://|mailto:)[^>]*>)[A-Za-z!?/][^>]*>")


@dataclass(frozen=True)
class Link:
    text: str
    href: str


class _Capture(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        self.md.captured_root = root  # type: ignore[attr-defined]


def _make_markdown() -> markdown.Markdown:
    md = markdown.Markdown(extensions=[])
    # Raw HTML is never passed through: it stays literal text and is escaped.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    md.treeprocessors.register(_Capture(md), "capture", -10)  # after "unescape"
    return md


_MD = _make_markdown()


@lru_cache(maxsize=8192)
def parse(text: str) -> etree.Element:
    """The inline tree of ``text``: a <p> element with em, strong, code, a children."""
    _MD.reset()
    _MD.captured_root = None  # type: ignore[attr-defined]  # blank text skips the tree processors
    _MD.convert(text.replace("\n", " ") if "\n\n" in text else text)
    root = _MD.captured_root  # type: ignore[attr-defined]
    para = root.find("p") if root is not None else None
    if para is None:  # the text parsed as something other than a paragraph
        para = etree.Element("p")
        para.text = text
    return _unstash(para)


def _unstash(element: etree.Element) -> etree.Element:
    """Python-Markdown leaves placeholders for entities and escapes; restore them as text."""
    stash = _MD.htmlStash

    def restore(value: str | None) -> str | None:
        if not value:
            return value
        for i, raw in enumerate(stash.rawHtmlBlocks):
            value = value.replace(stash.get_placeholder(i), unescape(str(raw)))
        return value

    for node in element.iter():
        node.text = restore(node.text)
        node.tail = restore(node.tail)
    return element


#: A footnote reference, "[^1]": the print edition makes it a superscript number that links
#: to the note; the words (speech, word counts, glossary search) leave it out.
NOTE_REF = re.compile(r"\[\^(?P<label>[^\]\s]+)\]")


def without_notes(text: str) -> str:
    """``text`` without its footnote references."""
    return NOTE_REF.sub("", text) if "[^" in text else text


def plain(text: str) -> str:
    """Just the words: emphasis dropped, links by their text, footnote references left out."""
    return "".join(parse(without_notes(text)).itertext())


@lru_cache(maxsize=4096)
def sentences(text: str, locale: str) -> tuple[str, ...]:
    """``text`` cut into its sentences (ICU's, for the language), each a piece of the Markdown as
    written, with the spaces after it and the footnote references it carries.

    The narration speaks each sentence of a paragraph as its own utterance and the listening
    station and the EPUB mark each in the page: both cut here, so they agree. A cut falls only
    in the text between links and emphasis, never inside one; if the pieces would not read back
    as the sentences (an escape or markup the cut would break), the text stays whole.
    """
    from difflib import SequenceMatcher

    from packager import segment

    root = parse(without_notes(text))
    words = "".join(root.itertext())
    outside = _outside_markup(root)
    starts = [at for at in segment.sentence_starts(words, locale) if any(a <= at <= b for a, b in outside)]
    if not starts:
        return (text,)
    matched = SequenceMatcher(None, words, text, autojunk=False).get_matching_blocks()
    cuts: list[int] = []
    for start in starts:
        at = next((j + start - i for i, j, n in matched if i <= start < i + n), None)
        if at is None:
            return (text,)
        while at > (cuts[-1] if cuts else 0) and text[at - 1] in "*_[`\\<":  # the next sentence's opening markup
            at -= 1
        cuts.append(at)
    pieces = tuple(text[a:b] for a, b in itertools.pairwise([0, *cuts, len(text)]))
    said = [words[a:b] for a, b in itertools.pairwise([0, *starts, len(words)])]
    markup = [m for piece in pieces for m in structure(piece) if not m.startswith("note:")]
    if markup != [m for m in structure(text) if not m.startswith("note:")] or any(
        plain(piece).strip() != sentence.strip() for piece, sentence in zip(pieces, said, strict=True)
    ):
        return (text,)
    return pieces


def _outside_markup(root: etree.Element) -> list[tuple[int, int]]:
    """(start, end) in the words of ``root`` of each run of text outside its links and emphasis."""
    runs, at = [(0, len(root.text or ""))], len(root.text or "")
    for child in root:
        at += len("".join(child.itertext()))
        tail = child.tail or ""
        runs.append((at, at + len(tail)))
        at += len(tail)
    return runs


def links(text: str) -> list[Link]:
    return [Link("".join(a.itertext()), a.get("href", "")) for a in parse(text).iter("a")]


def structure(text: str) -> list[str]:
    """The markup skeleton (tags and link targets in order), for comparing a translation."""
    out = []
    for node in parse(text).iter():
        if node.tag == "p":
            continue
        out.append(f"{node.tag}:{node.get('href')}" if node.tag == "a" else node.tag)
    return out + [f"note:{label}" for label in NOTE_REF.findall(text)]


def has_raw_html(text: str) -> bool:
    return bool(_RAW_HTML.search(text))


def is_safe_href(href: str) -> bool:
    return href.startswith(SAFE_SCHEMES) or href.startswith("#")


def to_html(text: str, *, print_urls: bool = False) -> str:
    """Escaped HTML for ``text``. With ``print_urls``, a link's address follows its text."""
    return _children_html(parse(text), print_urls)


def _children_html(node: etree.Element, print_urls: bool) -> str:
    parts = [escape(node.text or "", quote=False)]
    for child in node:
        parts.append(_element_html(child, print_urls))
        parts.append(escape(child.tail or "", quote=False))
    return "".join(parts)


_TAGS = {"em": "em", "strong": "strong", "code": "code", "br": "br"}


def _element_html(node: etree.Element, print_urls: bool) -> str:
    inner = _children_html(node, print_urls)
    if node.tag == "a":
        href = node.get("href", "")
        if not is_safe_href(href):
            return inner
        shown = ""
        address = printed_address("".join(node.itertext()), href) if print_urls else ""
        if address:
            shown = f' <span class="url">({escape(address, quote=False)})</span>'
        return f'<a href="{escape(href)}">{inner}</a>{shown}'
    tag = _TAGS.get(node.tag)
    if tag == "br":
        return "<br />"  # HTML and XHTML (EPUB) alike
    if tag is None:
        return inner
    return f"<{tag}>{inner}</{tag}>"


def printed_address(label: str, href: str) -> str:
    """The address a printed link shows after its text ("" when its text already says it, or it
    leads inside the document or to an unsafe scheme): what a reader of paper or braille types."""
    if not is_safe_href(href) or href.startswith("#") or bare_address(href) == bare_address(label):
        return ""
    return href.removeprefix("mailto:").removeprefix("tel:")


def bare_address(address: str) -> str:
    """An address without scheme, www. or trailing slash, lower-cased: what a reader types."""
    address = re.sub(r"(?i)^(?:https?://|mailto:|tel:)", "", address.strip())
    return re.sub(r"(?i)^www\.", "", address).rstrip("/").lower()
