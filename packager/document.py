"""The document model: the one tree that every transform and renderer speaks.

It knows nothing of PDFs, audio or gettext. Every translatable string is a
:class:`Text` holding inline Markdown, so a translation is a map over Texts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar


@dataclass(frozen=True)
class Text:
    """A translatable string of inline Markdown and where it came from."""

    markdown: str
    key: str  # stable message context, e.g. "side-effects/list1/item2"
    comment: str  # what it is, for translators
    line: int  # line in the source file


@dataclass(frozen=True)
class Heading:
    level: int  # 3 to 6; level-2 headings start sections
    text: Text


@dataclass(frozen=True)
class Paragraph:
    text: Text


@dataclass(frozen=True)
class ListItem:
    text: Text
    sublist: ListBlock | None = None  # a list inside this item (CommonMark nesting), up to 3 levels


@dataclass(frozen=True)
class ListBlock:
    ordered: bool
    items: tuple[ListItem, ...]
    start: int = 1  # an ordered list's first number, as the author wrote it
    loose: bool = False  # items separated by blank lines: printed with more space between them


@dataclass(frozen=True)
class Table:
    header: tuple[Text, ...]
    rows: tuple[tuple[Text, ...], ...]


@dataclass(frozen=True)
class Figure:
    src: str  # path relative to the article's folder
    alt: Text
    caption: Text | None = None  # the image's Markdown title, printed under it and spoken


@dataclass(frozen=True)
class Quote:
    blocks: tuple[Block, ...]


#: Call-out kinds, as GitHub alert syntax names them ("> [!WARNING]"), lower-case.
CALLOUT_KINDS = ("note", "tip", "important", "warning", "caution")


@dataclass(frozen=True)
class Callout:
    """A boxed call-out ("Talk to your care team before..."): its label is packager's own word for
    the kind (from the interface catalog), so it is announced the same way in every article."""

    kind: str  # one of CALLOUT_KINDS
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Checklist:
    """Questions to ask, printed with an empty box to tick before each."""

    items: tuple[Text, ...]


@dataclass(frozen=True)
class DefinitionList:
    items: tuple[tuple[Text, tuple[Text, ...]], ...]  # (term, its definitions)


@dataclass(frozen=True)
class GlossaryNote:
    """A glossary term's definition, placed after the block that first uses the term (see
    :func:`packager.glossary.place`); never in a parsed article, only in one being rendered."""

    term: Text
    definition: Text
    used_in: str  # the key of the Text where the term is first used: printed there as <dfn>


Block = Heading | Paragraph | ListBlock | Table | Figure | Quote | Callout | Checklist | DefinitionList | GlossaryNote


def unhandled(block: object, walker: str) -> TypeError:
    """For every walker's default branch: a block kind it does not know must never vanish
    silently from an output (as a docutils visitor raises on an unknown node)."""
    return TypeError(f"{walker} does not know {type(block).__name__} blocks; add a branch for them")


@dataclass(frozen=True)
class Section:
    id: str  # slug of the source-language heading: stable across translations
    heading: Text | None  # None for text before the first heading
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class GlossaryEntry:
    term: Text
    definition: Text


@dataclass(frozen=True)
class Footnote:
    label: str  # as the author wrote it: "1" in "[^1]"
    text: Text


@dataclass(frozen=True)
class Meta:
    title: Text
    summary: Text
    slug: str
    language: str
    version: str
    reviewed: date
    authors: tuple[str, ...]
    medical_reviewers: tuple[str, ...]
    licence: str
    source: str
    withdraw_translations_before: str = ""  # translations of earlier versions are refused
    glossary: tuple[GlossaryEntry, ...] = ()  # terms defined at their first use in the text


@dataclass(frozen=True)
class Outdated:
    """A translation of an earlier version of the article, published until it catches up."""

    version: str  # the version of the article this translation is of
    current_version: str  # the version of the article now


@dataclass(frozen=True)
class Article:
    meta: Meta
    sections: tuple[Section, ...]
    path: Path
    locale: str  # the language this tree is in
    draft: bool = False  # a translation not yet reviewed for this source version
    outdated: Outdated | None = None  # set when this is a translation of an earlier version
    notes: tuple[Footnote, ...] = ()  # footnotes, printed and spoken as endnotes

    @property
    def slug(self) -> str:
        return self.meta.slug

    def texts(self) -> Iterator[Text]:
        """Every translatable string, in reading order."""
        yield from iter_texts(self)

    def figures(self) -> Iterator[Figure]:
        """Every figure, quotes included: their image files are inputs of the outputs."""
        yield from _iter_blocks(self.sections, Figure)

    def map_texts(self, fn: Callable[[Text], Text]) -> Article:
        """A new article with ``fn`` applied to every Text: the one way to transform wording."""
        return _map(self, fn)


T = TypeVar("T")
B = TypeVar("B")


def iter_texts(node: object) -> Iterator[Text]:
    """Every Text below ``node`` (an article, section or block), in reading order."""
    if isinstance(node, Text):
        yield node
    elif isinstance(node, tuple):
        for item in node:
            yield from iter_texts(item)
    elif dataclasses.is_dataclass(node):
        for f in dataclasses.fields(node):
            yield from iter_texts(getattr(node, f.name))


def _iter_blocks(node: object, kind: type[B]) -> Iterator[B]:
    if isinstance(node, kind):
        yield node
    elif isinstance(node, tuple):
        for item in node:
            yield from _iter_blocks(item, kind)
    elif isinstance(node, (Section, Quote, Callout)):
        yield from _iter_blocks(node.blocks, kind)


def _map(node: T, fn: Callable[[Text], Text]) -> T:
    if isinstance(node, Text):
        return fn(node)  # type: ignore[return-value]
    if isinstance(node, tuple):
        return tuple(_map(item, fn) for item in node)  # type: ignore[return-value]
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        changes = {f.name: _map(getattr(node, f.name), fn) for f in dataclasses.fields(node)}
        return dataclasses.replace(node, **changes)  # type: ignore[return-value]
    return node
