"""Markdown with YAML front matter -> the document model.

Python-Markdown's block parser finds the blocks; inline markup is kept as
Markdown source in each Text, because that is what translators see.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from datetime import date
from pathlib import Path
from typing import Any

import markdown
import yaml

from packager import inline
from packager.document import (
    Article,
    Block,
    Figure,
    Heading,
    ListBlock,
    Meta,
    Paragraph,
    Quote,
    Section,
    Table,
    Text,
)
from packager.errors import PackagerError
from packager.project import Project, read_text_limited

REQUIRED = {
    "title": str,
    "slug": str,
    "language": str,
    "version": str,
    "reviewed": date,
    "summary": str,
    "authors": list,
    "medical_reviewers": list,
    "licence": str,
    "source": str,
}
#: Optional fields. ``withdraw_translations_before: 1.0.1`` marks a correction that
#: translations of earlier versions must not outlive: they are refused, not published as outdated.
OPTIONAL = {"withdraw_translations_before": str}
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: A list item's first line: a bullet or number marker, then 1 to 4 spaces (CommonMark's list items).
_LIST_MARKER = re.compile(r"^ *(?:(?P<bullet>[-+*])|(?P<number>[0-9]{1,9})(?P<delimiter>[.)]))(?: {1,4}|\t)(?=\S)")
_IMAGE = re.compile(r'^!\[(?P<alt>[^\]]*)\]\((?P<src>[^\s)]+)(?:\s+"[^"]*")?\)$')
MAX_SOURCE_BYTES = 2_000_000


def read_article(path: Path) -> Article:
    """Parse ``path``; a problem is a PackagerError naming the file and line."""
    raw = _read_text(path)
    meta_text, body, body_line = _split_front_matter(raw, path)
    meta_map, key_lines = _load_front_matter(meta_text, path)
    meta = _meta(meta_map, key_lines, path)
    sections = _BodyParser(path, body, body_line).sections()
    return Article(meta=meta, sections=sections, path=path, locale=meta.language)


def project_articles(project: Project) -> list[tuple[Path, Article, list[str]]]:
    """Every article with the locales it is built in (its own language first): the one
    article x locale iteration of every command. Slugs must be unique (they name outputs)."""
    seen: dict[str, Path] = {}
    out = []
    for source in project.articles():
        article = read_article(source)
        if article.slug in seen:
            raise PackagerError(f"slug {article.slug!r} is also the slug of {seen[article.slug].name}", source)
        seen[article.slug] = source
        translations = [loc for loc in project.catalog_locales(article.slug) if loc != article.meta.language]
        out.append((source, article, [article.meta.language, *translations]))
    return out


def _read_text(path: Path) -> str:
    text = read_text_limited(path, MAX_SOURCE_BYTES, "article")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _split_front_matter(raw: str, path: Path) -> tuple[str, str, int]:
    lines = raw.split("\n")
    if not lines or lines[0].strip() != "---":
        raise PackagerError("the article must start with YAML front matter between '---' lines", path, 1)
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :]), i + 2
    raise PackagerError("the front matter has no closing '---' line", path, 1)


def _load_front_matter(text: str, path: Path) -> tuple[dict, dict[str, int]]:
    node = None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 2
        raise PackagerError(f"a control character (U+{exc.character:04X}) is not allowed", path, line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark else 1
        raise PackagerError(f"invalid front matter: {exc.problem or exc.context}", path, line) from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        # A well-formed value YAML cannot construct, like the date 2026-13-45.
        raise PackagerError(f"invalid front matter: {exc}", path, _failing_line(node)) from None
    if not isinstance(data, dict) or node is None:
        raise PackagerError("the front matter must be a mapping of fields", path, 2)
    key_lines = {k.value: k.start_mark.line + 2 for k, _ in node.value}
    for key, value in node.value:
        if isinstance(value, yaml.ScalarNode) and isinstance(data.get(key.value), (int, float)):
            # "version: 1.10" is text to us, not the number 1.1: keep what the author wrote.
            data[key.value] = value.value if not isinstance(data[key.value], bool) else data[key.value]
    return data, key_lines


def _failing_line(node: yaml.Node | None) -> int:
    """The line of the first front-matter field whose value cannot be constructed."""
    if isinstance(node, yaml.MappingNode):
        for _, value in node.value:
            try:
                yaml.safe_load(yaml.serialize(value))
            except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError):
                return value.start_mark.line + 2
    return 2


def _meta(data: dict, key_lines: dict[str, int], path: Path) -> Meta:
    for key in data:
        if key not in REQUIRED and key not in OPTIONAL:
            known = ", ".join(sorted({*REQUIRED, *OPTIONAL}))
            raise PackagerError(f"unknown front-matter field {key!r} (known: {known})", path, key_lines.get(key))
    for key, kind in REQUIRED.items():
        if key not in data:
            raise PackagerError(f"front matter lacks the required field {key!r}", path, 2)
        value: Any = data[key]
        if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
            raise PackagerError(f"front-matter field {key!r} must be a {_kind_name(kind)}", path, key_lines[key])
        if isinstance(value, list) and not all(isinstance(v, str) for v in value):
            raise PackagerError(f"front-matter field {key!r} must be a list of names", path, key_lines[key])
    for key, kind in OPTIONAL.items():
        if key in data and not (isinstance(data[key], kind) and data[key].strip()):
            raise PackagerError(f"front-matter field {key!r} must be a {_kind_name(kind)}", path, key_lines[key])
    if not SLUG.match(data["slug"]):
        raise PackagerError(
            "front-matter field 'slug' must be lower-case letters, digits and hyphens", path, key_lines["slug"]
        )
    return Meta(
        title=Text(data["title"].strip(), "meta/title", "article title", key_lines["title"]),
        summary=Text(data["summary"].strip(), "meta/summary", "one-line summary of the article", key_lines["summary"]),
        slug=data["slug"],
        language=data["language"],
        version=data["version"],
        reviewed=data["reviewed"],
        authors=tuple(data["authors"]),
        medical_reviewers=tuple(data["medical_reviewers"]),
        licence=data["licence"],
        source=" ".join(data["source"].split()),
        withdraw_translations_before=data.get("withdraw_translations_before", "").strip(),
    )


def _kind_name(kind: type) -> str:
    return {str: "non-empty text", date: "date (YYYY-MM-DD)", list: "list"}[kind]


def parse_blocks(lines: list[str]) -> etree.Element:
    """Python-Markdown's block tree, inline text left as Markdown. The translation checks parse
    translations with this too, so that "the same kind of block" means the same thing to both."""
    md = markdown.Markdown(extensions=["tables"])
    md.preprocessors.deregister("html_block")  # raw HTML stays visible text, then is rejected
    return md.parser.parseDocument(lines).getroot()


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


class _BodyParser:
    """Walks Python-Markdown's block tree, keeping source lines for every Text."""

    def __init__(self, path: Path, body: str, first_line: int):
        self.path = path
        self.lines = body.split("\n")
        self.first_line = first_line
        self.cursor = 0

    def sections(self) -> tuple[Section, ...]:
        self._refuse_nested_lists()
        root = parse_blocks(self.lines)
        sections: list[Section] = []
        section_id, heading, blocks = "introduction", None, list[Block]()
        used: set[str] = {section_id}  # a heading "Introduction" becomes introduction-2
        self.counters: dict[str, int] = {}
        for element in root:
            if element.tag == "h2":
                if heading is not None or blocks:
                    sections.append(Section(section_id, heading, tuple(blocks)))
                title = self._raw(element)
                section_id = _unique(slugify(title), used)
                self.section, self.counters = section_id, {}
                heading = self._text(title, f"{section_id}/heading", f"heading of section '{title}'")
                self.title = title
                blocks = []
            else:
                if not sections and heading is None:
                    self.section, self.title = section_id, "introduction"
                blocks.append(self._block(element, f"{section_id}/"))
        if heading is not None or blocks:
            sections.append(Section(section_id, heading, tuple(blocks)))
        if not sections:
            raise PackagerError("the article has no body text", self.path, self.first_line)
        return tuple(sections)

    def _block(self, element: etree.Element, prefix: str) -> Block:
        tag = element.tag
        where = f"section '{self.title}'"
        if tag == "p":
            raw = self._raw(element)
            image = _IMAGE.match(raw.strip())
            if image:
                n = self._count(prefix + "figure")
                alt = image["alt"].strip()
                if not alt:
                    raise PackagerError(
                        "an image needs alternative text: ![what it shows](file)", self.path, self._find(raw)
                    )
                return Figure(image["src"], self._text(alt, f"{prefix}figure{n}/alt", f"image description, {where}"))
            if "![" in raw:
                raise PackagerError("an image must stand alone in its own paragraph", self.path, self._find(raw))
            n = self._count(prefix + "p")
            return Paragraph(self._text(raw, f"{prefix}p{n}", f"paragraph, {where}"))
        if tag in ("h3", "h4", "h5", "h6"):
            n = self._count(prefix + "h")
            return Heading(int(tag[1]), self._text(self._raw(element), f"{prefix}h{n}", f"sub-heading, {where}"))
        if tag in ("ul", "ol"):
            n = self._count(prefix + "list")
            items = []
            for m, item in enumerate(element, start=1):
                items.append(self._text(self._list_item(item), f"{prefix}list{n}/item{m}", f"list item, {where}"))
            return ListBlock(tag == "ol", tuple(items))
        if tag == "table":
            n = self._count(prefix + "table")
            rows = [row for part in element for row in part]
            cells = [
                tuple(
                    self._text(
                        self._raw(cell),
                        f"{prefix}table{n}/r{r}c{c}",
                        f"table {'header' if r == 0 else 'cell'}, {where}",
                    )
                    for c, cell in enumerate(row, start=1)
                )
                for r, row in enumerate(rows)
            ]
            return Table(cells[0], tuple(cells[1:]))
        if tag == "blockquote":
            n = self._count(prefix + "quote")
            inner = f"{prefix}quote{n}/"
            return Quote(tuple(self._block(child, inner) for child in element))
        if tag == "h1":
            raise PackagerError(
                "a level-1 heading is not allowed: the title comes from the front matter",
                self.path,
                self._find(self._raw(element)),
            )
        names = {"pre": "code block", "hr": "horizontal rule", "div": "raw HTML block"}
        line = self._find("".join(element.itertext())) if "".join(element.itertext()).strip() else self._near()
        raise PackagerError(f"{names.get(tag, tag)} is not supported in an article", self.path, line)

    def _refuse_nested_lists(self) -> None:
        """Lists that Python-Markdown would silently change are refused, naming the line.

        CommonMark nests a list by the item's content column (often 2 or 3 spaces), starts a
        new list when the marker changes, and keeps an ordered list's first number; Python-
        Markdown nests only at 4 spaces and reads shallower sub-items as more items of the
        outer list ("1. 2. (two sub-points) 3." would print as steps 1 to 5), merges a
        numbered list and the bullet list after it, and renumbers from 1. Numbered
        instructions that change without a word are the worst failure a handout can have.
        """
        content_column: int | None = None  # of the list item being read
        kind: str | None = None  # its marker: "-", "*", "+", "." or ")"
        for i, line in enumerate(self.lines):
            if not line.strip():
                continue
            marker = _LIST_MARKER.match(line)
            indent = len(line) - len(line.lstrip(" "))
            where = (self.path, self.first_line + i)
            if marker and content_column is not None and indent >= content_column:
                raise PackagerError(
                    "a list inside a list item is not supported yet (it would be renumbered): "
                    "make the sub-points a separate list after a sentence that introduces them",
                    *where,
                )
            if marker and indent <= 3:
                new_kind = marker.group("bullet") or marker.group("delimiter")
                if kind is not None and new_kind != kind:
                    raise PackagerError(
                        "two lists with different markers follow each other and would be merged into one: "
                        "put a sentence between them",
                        *where,
                    )
                if kind is None and marker.group("number") and int(marker.group("number")) != 1:
                    raise PackagerError(
                        f"a numbered list starting at {int(marker.group('number'))} would be renumbered from 1: "
                        "start it at 1",
                        *where,
                    )
                content_column, kind = len(marker.group(0)), new_kind
            elif indent == 0:
                content_column, kind = None, None

    def _list_item(self, item: etree.Element) -> str:
        children = list(item)
        if any(child.tag in ("ul", "ol") for child in children):
            raise PackagerError("nested lists are not supported; use a sub-heading and a list", self.path, self._near())
        if children and all(child.tag == "p" for child in children) and not (item.text or "").strip():
            if len(children) > 1:
                raise PackagerError("a list item must be a single paragraph", self.path, self._near())
            return self._raw(children[0])
        return self._raw(item)

    def _raw(self, element: etree.Element) -> str:
        if len(element):
            raise PackagerError("unexpected nested block inside text", self.path, self._near())
        return " ".join(line.strip() for line in (element.text or "").strip().split("\n"))

    def _text(self, raw: str, key: str, comment: str) -> Text:
        line = self._find(raw)
        if inline.has_raw_html(raw):
            raise PackagerError("raw HTML is not allowed; use Markdown", self.path, line)
        for link in inline.links(raw):
            if not inline.is_safe_href(link.href):
                raise PackagerError(
                    f"link target {link.href!r} is not an http(s), mailto or tel address", self.path, line
                )
        return Text(raw, key, comment, line)

    def _count(self, kind: str) -> int:
        self.counters[kind] = self.counters.get(kind, 0) + 1
        return self.counters[kind]

    def _find(self, raw: str) -> int:
        """The source line of a block, searching forward from the previous block."""
        words = raw.split()
        for size in (4, 2, 1):
            probe = " ".join(words[:size])
            for i in range(self.cursor, len(self.lines)):
                if probe and probe in " ".join(self.lines[i].split()):
                    self.cursor = i
                    return self.first_line + i
        return self._near()

    def _near(self) -> int:
        return self.first_line + self.cursor


def _unique(slug: str, used: set[str]) -> str:
    candidate, n = slug, 2
    while candidate in used:
        candidate, n = f"{slug}-{n}", n + 1
    used.add(candidate)
    return candidate
