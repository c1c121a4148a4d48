"""Markdown with YAML front matter -> the document model.

Python-Markdown's block parser finds the blocks; inline markup is kept as
Markdown source in each Text, because that is what translators see.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from packager import glossary, inline
from packager.document import (
    CALLOUT_KINDS,
    Article,
    Block,
    Callout,
    Checklist,
    DefinitionList,
    Figure,
    Footnote,
    GlossaryEntry,
    Heading,
    ListBlock,
    ListItem,
    Meta,
    Paragraph,
    Quote,
    Section,
    Table,
    Text,
)
from packager.errors import PackagerError
from packager.project import SAFE_LOADER, Project, read_text_limited
from packager.timings import stage

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
OPTIONAL: dict[str, type] = {"withdraw_translations_before": str, "glossary": list}
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_IMAGE = re.compile(r'^!\[(?P<alt>[^\]]*)\]\((?P<src>[^\s)]+)(?:\s+"(?P<caption>[^"]*)")?\)$')
MAX_SOURCE_BYTES = 2_000_000


def read_article(path: Path) -> Article:
    """Parse ``path``; a problem is a PackagerError naming the file and line."""
    with stage("parse"):
        raw = _read_text(path)
        meta_text, body, body_line = _split_front_matter(raw, path)
        meta_map, key_lines = _load_front_matter(meta_text, path)
        meta = _meta(meta_map, key_lines, path)
        parser = _BodyParser(path, body, body_line)
        sections = parser.sections()
        article = Article(meta=meta, sections=sections, path=path, locale=meta.language, notes=parser.notes)
        glossary.check_used(article)
    return article


def project_articles(project: Project) -> list[tuple[Path, Article, list[str]]]:
    """Every article with the locales it is built in (its own language first): the one
    article x locale iteration of every command. Slugs must be unique (they name outputs)."""
    return list(iter_articles(project))


def iter_articles(project: Project) -> Iterator[tuple[Path, Article, list[str]]]:
    """:func:`project_articles` one by one, each parsed when its turn comes: a caller that
    keeps none holds one article at a time. A repeated slug raises when it is reached."""
    seen: dict[str, Path] = {}
    for source in project.articles():
        article = read_article(source)
        if article.slug in seen:
            raise PackagerError(f"slug {article.slug!r} is also the slug of {seen[article.slug].name}", source)
        seen[article.slug] = source
        translations = [loc for loc in project.catalog_locales(article.slug) if loc != article.meta.language]
        yield source, article, [article.meta.language, *translations]


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
        node = yaml.compose(text, Loader=SAFE_LOADER)
        data = yaml.load(text, Loader=SAFE_LOADER)
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
        if isinstance(value, yaml.SequenceNode):  # "glossary/2": the line of a list's third entry
            key_lines.update({f"{key.value}/{i}": item.start_mark.line + 2 for i, item in enumerate(value.value)})
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
        if key in data and not (isinstance(data[key], kind) and (kind is not str or data[key].strip())):
            raise PackagerError(f"front-matter field {key!r} must be a {_kind_name(kind)}", path, key_lines[key])
    if not SLUG.match(data["slug"]):
        raise PackagerError(
            "front-matter field 'slug' must be lower-case letters, digits and hyphens", path, key_lines["slug"]
        )
    if data["slug"] == "packager":  # locales/<ll>/LC_MESSAGES/packager.po is the interface catalog
        what = "the slug 'packager' is the interface catalog's name; choose another"
        raise PackagerError(what, path, key_lines["slug"])
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
        glossary=_glossary(data.get("glossary", []), key_lines, path),
    )


def _glossary(entries: list, key_lines: dict[str, int], path: Path) -> tuple[GlossaryEntry, ...]:
    """The front matter's glossary: each entry a term and its definition, each one message."""
    out: list[GlossaryEntry] = []
    slugs: set[str] = set()
    for i, entry in enumerate(entries):
        line = key_lines.get(f"glossary/{i}", key_lines["glossary"])
        fields = entry if isinstance(entry, dict) else {}
        term, definition = str(fields.get("term", "")), str(fields.get("definition", ""))
        if set(fields) != {"term", "definition"} or not all(isinstance(v, str) and v.strip() for v in fields.values()):
            raise PackagerError("a glossary entry must have a 'term' and a 'definition', both text", path, line)
        slug = slugify(term)
        if slug in slugs:
            raise PackagerError(f"the glossary defines {term!r} twice", path, line)
        slugs.add(slug)
        key = f"glossary/{slug}"
        out.append(
            GlossaryEntry(
                Text(" ".join(term.split()), f"{key}/term", "glossary term, explained at its first use", line),
                Text(
                    " ".join(definition.split()),
                    f"{key}/definition",
                    f"definition of the glossary term '{term.strip()}', printed and spoken after its first use",
                    line,
                ),
            )
        )
    return tuple(out)


def _kind_name(kind: type) -> str:
    return {str: "non-empty text", date: "date (YYYY-MM-DD)", list: "list"}[kind]


#: Deepest list nesting a handout prints, speaks and brailles clearly.
MAX_LIST_DEPTH = 3
#: What a list item may not hold, as its error names it.
_ITEM_PART = defaultdict(
    lambda: "another block",
    paragraph="a second paragraph",
    bullet_list="a second list",
    ordered_list="a second list",
    fence="a code block",
    code_block="a code block",
    blockquote="a quote",
    heading="a heading",
    table="a table",
    html_block="raw HTML",
    hr="a horizontal rule",
    alert="a call-out",
    dl="a definition list",
)


def block_tree(text: str, env: dict | None = None) -> SyntaxTreeNode:
    """CommonMark's block tree (markdown-it-py, with GFM tables), inline text left as Markdown.

    The translation checks parse translations with this too, so that "the same kind of
    block" means the same thing to both. CommonMark, not Python-Markdown: it nests a list
    by its item's content column, keeps an ordered list's first number and starts a new
    list when the marker changes, as every editor a clinic uses shows it.
    """
    return SyntaxTreeNode(_markdown_it().parse(text, {} if env is None else env))


@functools.lru_cache(maxsize=1)
def _markdown_it() -> MarkdownIt:
    """CommonMark with GFM tables, GitHub's alerts ("> [!WARNING]") and task lists ("- [ ] ..."),
    definition lists and footnotes (mdit-py-plugins)."""
    from mdit_py_plugins.deflist import deflist_plugin
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"alerts": True, "tasklists": True}).enable("table")
    return md.use(deflist_plugin).use(footnote_plugin, inline=False)


def block_kind(node: SyntaxTreeNode) -> str:
    """A block's kind as an HTML tag name: p, ul, ol, h3, table, blockquote, pre, hr, div."""
    kinds = {"fence": "pre", "code_block": "pre", "html_block": "div", "hr": "hr", "alert": "aside"}
    return kinds.get(node.type, node.tag or node.type)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


class _BodyParser:
    """Walks CommonMark's block tree, keeping the source line of every Text."""

    def __init__(self, path: Path, body: str, first_line: int):
        self.path = path
        self.body = body
        self.first_line = first_line
        self.line = first_line
        self.notes: tuple[Footnote, ...] = ()
        self.inside = ""  # "in a 'warning' call-out, ": where a Text is, for its translator comment
        self.note_labels: set[str] = set()

    def sections(self) -> tuple[Section, ...]:
        sections: list[Section] = []
        section_id, heading, blocks = "introduction", None, list[Block]()
        # A heading "Introduction" becomes introduction-2; "endnotes" is the notes' part (speech NOTES_ID).
        used: set[str] = {section_id, "endnotes"}
        self.counters: dict[str, int] = {}
        self.title = "introduction"
        env: dict = {}
        tree = block_tree(self.body, env)
        self.note_labels = {ref[1:] for ref in env.get("footnotes", {}).get("refs", {})}  # ":1" -> "1"
        for ref, number in env.get("footnotes", {}).get("refs", {}).items():
            if number < 0:  # markdown-it drops a note nothing refers to: say so, not lose it
                label = ref[1:]
                at = re.search(rf"^ {{0,3}}\[\^{re.escape(label)}\]:", self.body, re.M)
                line = self.first_line + self.body[: at.start()].count("\n") if at else self.first_line
                raise PackagerError(f"footnote [^{label}] is never referred to in the text", self.path, line)
        definitions = sorted(ref["map"][0] for ref in env.get("references", {}).values() if ref.get("map"))
        if definitions:
            # "[g]: https://..." vanishes from the tree, and each Text is inline Markdown read on
            # its own, so "[the guide][g]" would print as typed, its address lost.
            raise PackagerError(
                "a link reference definition ('[name]: address') is not supported; "
                "write the address in the link: [text](address)",
                self.path,
                self.first_line + definitions[0],
            )
        for node in tree.children:
            self._at(node)
            if node.type == "footnote_block":
                self.notes = self._notes(node, env)
            elif node.type == "heading" and node.tag == "h2":
                if heading is not None or blocks:
                    sections.append(Section(section_id, heading, tuple(blocks)))
                title = self._inline(node)
                section_id = _unique(slugify(title), used)
                self.counters, self.title = {}, title
                heading = self._text(title, f"{section_id}/heading", f"heading of section '{title}'")
                blocks = []
            else:
                blocks.append(self._block(node, f"{section_id}/"))
        if heading is not None or blocks:
            sections.append(Section(section_id, heading, tuple(blocks)))
        if not sections:
            raise PackagerError("the article has no body text", self.path, self.first_line)
        return tuple(sections)

    def _notes(self, node: SyntaxTreeNode, env: dict) -> tuple[Footnote, ...]:
        """The footnotes ("[^1]: ..."), in the order the text first refers to them."""
        notes = []
        used = {meta["label"] for meta in env.get("footnotes", {}).get("list", {}).values() if meta.get("count")}
        for note in node.children:
            label = str(note.meta.get("label", ""))
            parts = [child for child in note.children if child.type != "footnote_anchor"]
            self._at(parts[0] if parts else note)
            if label not in used:
                raise PackagerError(f"footnote [^{label}] is never referred to in the text", self.path, self.line)
            if len(parts) != 1 or parts[0].type != "paragraph":
                raise PackagerError("a footnote holds one paragraph", self.path, self.line)
            text = self._text(self._inline(parts[0]), f"notes/{label}", f"footnote [^{label}], printed at the end")
            notes.append(Footnote(label, text))
        return tuple(notes)

    def _block(self, node: SyntaxTreeNode, prefix: str) -> Block:
        self._at(node)
        where = f"{self.inside}section '{self.title}'"
        if node.type == "paragraph":
            raw = self._inline(node)
            image = _IMAGE.match(raw.strip())
            if image:
                n = self._count(prefix + "figure")
                alt, caption = image["alt"].strip(), " ".join((image["caption"] or "").split())
                if not alt:
                    raise PackagerError("an image needs alternative text: ![what it shows](file)", self.path, self.line)
                key = f"{prefix}figure{n}"
                described = self._text(alt, f"{key}/alt", f"image description (read aloud, not printed), {where}")
                captioned = self._text(caption, f"{key}/caption", f"image caption, printed under it, {where}")
                return Figure(image["src"], described, captioned if caption else None)
            n = self._count(prefix + "p")
            return Paragraph(self._text(raw, f"{prefix}p{n}", f"paragraph, {where}"))
        if node.type == "heading":
            if node.tag == "h1":
                raise PackagerError(
                    "a level-1 heading is not allowed: the title comes from the front matter", self.path, self.line
                )
            n = self._count(prefix + "h")
            return Heading(int(node.tag[1]), self._text(self._inline(node), f"{prefix}h{n}", f"sub-heading, {where}"))
        if node.type in ("bullet_list", "ordered_list") and _is_checklist(node):
            n = self._count(prefix + "checklist")
            return self._checklist(node, f"{prefix}checklist{n}", where)
        if node.type in ("bullet_list", "ordered_list"):
            n = self._count(prefix + "list")
            return self._list(node, f"{prefix}list{n}", where, depth=1)
        if node.type == "alert":
            if prefix.count("callout"):
                raise PackagerError("a call-out cannot hold another call-out", self.path, self.line)
            n = self._count(prefix + "callout")
            kind = str(node.meta.get("kind", "")).lower()
            if kind not in CALLOUT_KINDS:  # markdown-it knows only these today; a newer one may know more
                raise PackagerError(f"unknown call-out kind [!{kind.upper()}]", self.path, self.line)
            parts = [child for child in node.children if child.type != "alert_title"]
            title = next((c for c in node.children if c.type == "alert_title"), None)
            if title is not None and self._inline(title).lower() != kind:
                raise PackagerError(
                    f"a call-out's label is packager's own: write '[!{kind.upper()}]' alone on its first line",
                    self.path,
                    self.line,
                )
            if not parts:
                raise PackagerError("a call-out is empty", self.path, self.line)
            self.inside = f"in a '{kind}' call-out box, "
            try:
                return Callout(kind, tuple(self._block(child, f"{prefix}callout{n}/") for child in parts))
            finally:
                self.inside = ""
        if node.type == "dl":
            n = self._count(prefix + "deflist")
            return self._deflist(node, f"{prefix}deflist{n}", where)
        if node.type == "table":
            n = self._count(prefix + "table")
            cells = []
            for r, row in enumerate(row for part in node.children for row in part.children):
                self._at(row)  # cells carry no line of their own
                what = f"table {'header' if r == 0 else 'cell'}, {where}"
                texts = [
                    self._text(self._cell(c), f"{prefix}table{n}/r{r}c{i}", what) for i, c in enumerate(row.children, 1)
                ]
                cells.append(tuple(texts))
            return Table(cells[0], tuple(cells[1:]))
        if node.type == "blockquote":
            first = node.children[0] if node.children else None
            if first is not None and first.type == "paragraph" and re.match(r"\[!\w+\]", self._inline(first)):
                kinds = ", ".join(f"[!{kind.upper()}]" for kind in CALLOUT_KINDS)
                said = f"a call-out starts with one of {kinds}, alone on its first line"
                raise PackagerError(said, self.path, self.line)
            n = self._count(prefix + "quote")
            inner = f"{prefix}quote{n}/"
            return Quote(tuple(self._block(child, inner) for child in node.children))
        if node.type == "html_block":
            raise PackagerError("raw HTML is not allowed; use Markdown", self.path, self.line)
        names = {"fence": "code block", "code_block": "code block", "hr": "horizontal rule"}
        raise PackagerError(f"{names.get(node.type, node.type)} is not supported in an article", self.path, self.line)

    def _list(self, node: SyntaxTreeNode, key: str, where: str, depth: int, parent: str = "") -> ListBlock:
        """A list and the lists inside its items; keys name the parent ("list1/item2/list1/item1"),
        comments quote the parent item's words (``parent``), which is what a translator recognises."""
        self._at(node)
        if depth > MAX_LIST_DEPTH:
            raise PackagerError(
                f"lists are nested more than {MAX_LIST_DEPTH} levels deep; a reader gets lost", self.path, self.line
            )
        if _is_checklist(node):
            raise PackagerError("a checklist cannot be inside a list", self.path, self.line)
        ordered = node.type == "ordered_list"
        start = int(node.attrs.get("start", 1)) if ordered else 1
        loose = any(not p.hidden for item in node.children for p in item.children if p.type == "paragraph")
        items = []
        for m, item in enumerate(node.children, start=1):
            self._at(item)
            parts = item.children
            if not parts:
                raise PackagerError("a list item is empty", self.path, self.line)
            if parts[0].type != "paragraph":
                raise PackagerError("a list item must start with its text", self.path, self.line)
            inner = parts[1:]
            extra = [p for p in inner if p.type not in ("bullet_list", "ordered_list")] or inner[1:]
            if extra:
                self._at(extra[0])  # the line of what is not allowed, not the item's first line
                raise PackagerError(
                    f"a list item holds one paragraph, and may hold one list after it, not {_ITEM_PART[extra[0].type]}",
                    self.path,
                    self.line,
                )
            what = f"list item under '{parent}'" if parent else "list item"
            text = self._text(self._inline(parts[0]), f"{key}/item{m}", f"{what}, {where}")
            words = inline.plain(text.markdown).strip()
            words = words if len(words) <= 40 else words[:39].rstrip() + "…"
            sublist = self._list(inner[0], f"{key}/item{m}/list1", where, depth + 1, words) if inner else None
            items.append(ListItem(text, sublist))
        return ListBlock(ordered, tuple(items), start, loose)

    def _checklist(self, node: SyntaxTreeNode, key: str, where: str) -> Checklist:
        """A task list: every item unticked, one paragraph each (what a patient ticks is theirs to tick)."""
        items = []
        for m, item in enumerate(node.children, start=1):
            self._at(item)
            if "checked" not in item.meta:
                raise PackagerError("every item of a checklist starts with '[ ]'", self.path, self.line)
            if item.meta["checked"]:
                raise PackagerError(
                    "a checklist item is ticked ('[x]'): a handout's checklist starts empty, write '[ ]'",
                    self.path,
                    self.line,
                )
            if len(item.children) != 1 or item.children[0].type != "paragraph":
                raise PackagerError("a checklist item holds one paragraph", self.path, self.line)
            items.append(self._text(self._inline(item.children[0]), f"{key}/item{m}", f"checklist item, {where}"))
        return Checklist(tuple(items))

    def _deflist(self, node: SyntaxTreeNode, key: str, where: str) -> DefinitionList:
        """``Term`` then ``: Definition`` lines; each definition one paragraph."""
        items: list[tuple[Text, list[Text]]] = []
        for part in node.children:
            self._at(part)
            if part.type == "dt":
                m = len(items) + 1
                items.append((self._text(self._inline(part), f"{key}/term{m}", f"defined term, {where}"), []))
                continue
            term, definitions = items[-1]
            paragraphs = part.children
            if len(paragraphs) != 1 or paragraphs[0].type != "paragraph":
                self._at(paragraphs[1] if len(paragraphs) > 1 else part)
                raise PackagerError("a definition holds one paragraph", self.path, self.line)
            k = len(definitions) + 1
            what = f"definition of '{inline.plain(term.markdown).strip()}', {where}"
            definitions.append(self._text(self._inline(paragraphs[0]), f"{term.key}/def{k}", what))
        return DefinitionList(tuple((term, tuple(defs)) for term, defs in items))

    def _cell(self, node: SyntaxTreeNode) -> str:
        content = node.children[0].content if node.children else ""
        return content.strip()

    def _inline(self, node: SyntaxTreeNode) -> str:
        """The Markdown source of a block's text, its lines joined (what translators see)."""
        self._at(node)
        content = node.children[0].content if node.children and node.children[0].type == "inline" else ""
        return " ".join(line.strip() for line in content.strip().split("\n"))

    def _at(self, node: SyntaxTreeNode) -> None:
        if node.map:
            self.line = self.first_line + node.map[0]

    def _text(self, raw: str, key: str, comment: str) -> Text:
        if inline.has_raw_html(raw):
            raise PackagerError("raw HTML is not allowed; use Markdown", self.path, self.line)
        if "![" in raw:  # in a paragraph with other words, a list item, a table cell
            raise PackagerError("an image must stand alone in its own paragraph", self.path, self.line)
        for label in inline.NOTE_REF.findall(raw):
            if label not in self.note_labels:
                raise PackagerError(f"footnote [^{label}] has no note: add '[^{label}]: ...'", self.path, self.line)
        for link in inline.links(raw):
            if not inline.is_safe_href(link.href):
                raise PackagerError(
                    f"link target {link.href!r} is not an http(s), mailto or tel address", self.path, self.line
                )
        return Text(raw, key, comment, self.line)

    def _count(self, kind: str) -> int:
        self.counters[kind] = self.counters.get(kind, 0) + 1
        return self.counters[kind]


def _is_checklist(node: SyntaxTreeNode) -> bool:
    """A GitHub task list: an item starts "[ ]" or "[x]" (markdown-it-py's tasklists option)."""
    return any("checked" in item.meta for item in node.children)


def _unique(slug: str, used: set[str]) -> str:
    candidate, n = slug, 2
    while candidate in used:
        candidate, n = f"{slug}-{n}", n + 1
    used.add(candidate)
    return candidate
