"""``EpubBuilder``: the Builder for ``--format epub``.

Per locale, ``<slug>.epub`` (EPUB 3.3): the article as one XHTML content document, made from
the print edition's views and block templates (``blocks.html``), the navigation document, the
narration's MP3 and one Media Overlay (SMIL) that says when each heading, paragraph, list item,
table row and figure of the text is spoken. The narration is the ``audio`` format's output
(``needs=("audio",)``): its ``<slug>.timings.json`` gives every utterance's start and end.

Which utterance speaks which element follows the speech script's order within each part: a
part opens with "Part N of M" and its heading, then one utterance per paragraph, list item
(reference lists: one per entry), table row and figure. Spoken-only utterances (the opening's
notices, "Part N of M", the closing) are not in the overlay. A count that does not add up is
an error, never a shifted highlight.
"""

from __future__ import annotations

import json
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from packager import glossary, inline
from packager.builders import Product, Progress, get_builder
from packager.document import (
    Article,
    Block,
    Callout,
    Checklist,
    DefinitionList,
    Figure,
    GlossaryNote,
    Heading,
    ListBlock,
    Paragraph,
    Quote,
    Table,
    unhandled,
)
from packager.errors import PackagerError
from packager.i18n.ui import ui_gettext, ui_paths
from packager.project import Project, source_date_epoch

HERE = Path(__file__).resolve().parent
CONTENT = "content.xhtml"
OVERLAY = "content.smil"
ACTIVE_CLASS = "mo-active"  # defined in themes/epub.css
#: Zip entries get this fixed date: the same inputs give the same bytes.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
#: EPUB core media types for pictures.
IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
}


@dataclass(frozen=True)
class Clip:
    """One ``par`` of the overlay: an element of the text and when the narration speaks it."""

    element: str  # id in the content document
    start: float
    end: float


class EpubBuilder:
    name = "epub"
    preload = ()

    def outputs(self, article: Article) -> list[str]:
        return [f"{article.slug}.epub"]

    def inputs(self, project: Project, locale: str) -> list[Path | str]:
        templates = HERE / "templates"
        return [
            Path(__file__).resolve(),
            HERE / "html.py",
            templates / "epub.xhtml",
            templates / "epub-nav.xhtml",
            templates / "blocks.html",
            HERE / "themes" / "epub.css",
            *ui_paths(project.locales_dir, locale, project.settings.source_language),
        ]

    def preflight(self, project: Project, locales: list[str]) -> None:
        return None

    def build(self, article: Article, project: Project, progress: Progress) -> Product:
        from packager.render import html

        folder = project.build_dir / article.locale
        audio_files = get_builder("audio").outputs(article)
        mp3_name = audio_files[0]
        timings_name = next(name for name in audio_files if name.endswith(".timings.json"))
        try:
            mp3 = (folder / mp3_name).read_bytes()
            timings = json.loads((folder / timings_name).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise PackagerError(f"the EPUB needs the narration's {mp3_name} and {timings_name}: {exc}") from exc
        article = glossary.place(article)  # the definitions are elements the narration speaks
        context = html.article_context(article, project, html.HANDOUT)
        images = _Ids()
        elements = _assign_ids(article, context, images, project)
        clips = overlay_clips(article, elements, timings, project.settings.audio.reference_sections)
        env = html._environment()
        content = env.get_template("epub.xhtml").render(context)
        _ = ui_gettext(project.locales_dir, article.locale)
        toc = [(f"{CONTENT}#{s['id']}", inline.plain(s["heading_md"])) for s in context["sections"] if s["heading"]]
        toc.append((f"{CONTENT}#about-this-handout", context["about_heading"]))
        nav = env.get_template("epub-nav.xhtml").render(
            {**context, "toc": toc, "contents": _("Contents"), "landmarks": _("Landmarks"), "content": CONTENT}
        )
        audio_href = f"audio/{Path(mp3_name).name}"
        duration = float(timings["duration"])
        smil = overlay(clips, audio_href)
        opf = package(article, project, context, images.files, audio_href, duration)
        entries = {
            "META-INF/container.xml": CONTAINER.encode(),
            "EPUB/package.opf": opf.encode(),
            "EPUB/nav.xhtml": nav.encode(),
            f"EPUB/{CONTENT}": content.encode(),
            f"EPUB/{OVERLAY}": smil.encode(),
            "EPUB/epub.css": (HERE / "themes" / "epub.css").read_bytes(),
            **{f"EPUB/{href}": path.read_bytes() for href, path in images.files.items()},
            f"EPUB/{audio_href}": mp3,
        }
        info = {"duration": duration, "overlay_clips": len(clips)}
        return Product(files={self.outputs(article)[0]: ocf(entries)}, info=info)


class _Ids:
    """Element ids for the overlay, and the images the content document carries."""

    def __init__(self) -> None:
        self.count = 0
        self.files: dict[str, Path] = {}

    def next(self) -> str:
        self.count += 1
        return f"mo-{self.count}"


def _assign_ids(article: Article, context: dict[str, Any], ids: _Ids, project: Project) -> dict[str, list[str]]:
    """Give every spoken element of the context's views an id; by section id, the ids of the
    elements in reading order (the opening's key holds the title and summary first)."""
    from packager.speech.script import OPENING_ID

    context["listen"] = None  # the EPUB carries the narration itself
    context["title_id"], context["summary_id"] = ids.next(), ids.next()
    spoken: dict[str, list[str]] = {OPENING_ID: [context["title_id"], context["summary_id"]]}
    references = project.settings.audio.reference_sections
    for section, view in zip(article.sections, context["sections"], strict=True):
        view["heading_md"] = section.heading.markdown if section.heading else ""
        view["heading_id"] = ids.next() if section.heading else ""
        found = [view["heading_id"]] if section.heading else []
        _block_ids(section.blocks, view["blocks"], ids, found, article, project, section.id in references)
        if section.heading:
            spoken[section.id] = found
        else:
            spoken[OPENING_ID] += found
    if context["notes"]:
        from packager.speech.script import NOTES_ID

        context["notes_heading_id"] = ids.next()
        for note in context["notes"]:
            note["id"] = ids.next()
        spoken[NOTES_ID] = [context["notes_heading_id"], *(note["id"] for note in context["notes"])]
    return spoken


def _block_ids(
    blocks: tuple[Block, ...], views: list, ids: _Ids, found: list[str], article: Article, project: Project, ref: bool
) -> None:
    """Ids for the elements the narration speaks one by one, in its order (``ref``: a reference
    list, where the narration reads each entry, not the lists inside it)."""
    from packager.render.html import image_path

    for block, view in zip(blocks, views, strict=True):
        if isinstance(block, (Heading, Paragraph)):
            view.id = ids.next()
            found.append(view.id)
        elif isinstance(block, ListBlock):
            _item_ids(view, ids, found, nested=not ref)
        elif isinstance(block, Table):
            view.row_ids = [ids.next() for _ in block.rows]
            found += view.row_ids
        elif isinstance(block, Figure):
            view.id = ids.next()
            found.append(view.id)
            path = image_path(article, project, block)
            href = f"images/{len(ids.files) + 1}{path.suffix.lower()}"
            if path.suffix.lower() not in IMAGE_TYPES:
                said = f"image {block.src!r}: an EPUB takes PNG, JPEG, GIF or SVG"
                raise PackagerError(said, article.path, block.alt.line)
            ids.files[href] = path
            view.src = href
        elif isinstance(block, Quote):
            _block_ids(block.blocks, view.children, ids, found, article, project, False)  # read as in the text
        elif isinstance(block, Callout):  # the label ("Important"), then the text
            view.label_id = ids.next()
            found.append(view.label_id)
            _block_ids(block.blocks, view.children, ids, found, article, project, False)
        elif isinstance(block, Checklist):  # "A list to tick:" is the list's, then each item
            view.id = ids.next()
            found.append(view.id)
            _item_ids(view, ids, found, nested=False)
        elif isinstance(block, DefinitionList):  # each term with its definitions: one utterance, on the term
            _item_ids(view, ids, found, nested=False)
        elif isinstance(block, GlossaryNote):
            view.id = ids.next()
            found.append(view.id)
        else:
            raise unhandled(block, "the EPUB overlay")


def _item_ids(view: Any, ids: _Ids, found: list[str], nested: bool) -> None:
    for item in view.items:
        item.id = ids.next()
        found.append(item.id)
        if item.sublist is not None and nested:
            _item_ids(item.sublist, ids, found, nested)


def overlay_clips(
    article: Article, elements: dict[str, list[str]], timings: dict[str, Any], reference_sections: tuple[str, ...]
) -> list[Clip]:
    """The overlay's pars in reading order, each with its utterance's start and end in the MP3."""
    from packager.speech.script import OPENING_ID

    parts = {part["id"]: part for part in timings["sections"]}
    last_part = timings["sections"][-1]["id"] if timings["sections"] else ""
    clips: list[Clip] = []
    for part_id, ids in elements.items():
        part = parts.get(part_id)
        if part is None:
            raise PackagerError(f"the narration has no part {part_id!r}: build the audio again")
        said = part["utterances"]
        if part_id == OPENING_ID:  # the title first; the summary and the text before any heading last
            chosen = [said[0], *said[len(said) - len(ids) + 1 :]] if len(said) >= len(ids) else []
        else:  # "Part N of M", then the heading and the blocks; the last part ends "End of recording."
            chosen = said[1 : 1 + len(ids)]
            extra = len(said) - 1 - len(ids)
            if extra not in ((0, 1) if part_id == last_part else (0,)):
                chosen = []
        if len(chosen) != len(ids):
            raise PackagerError(
                f"the narration of part {part_id!r} has {len(said)} utterances for {len(ids)} elements of the text"
            )
        clips += [Clip(i, float(u["start"]), float(u["end"])) for i, u in zip(ids, chosen, strict=True)]
    return clips


def clock(seconds: float) -> str:
    """A SMIL full clock value, to the millisecond: 0:05:12.345."""
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def overlay(clips: list[Clip], audio_href: str) -> str:
    pars = "".join(
        f'<par id="par-{n}"><text src="{CONTENT}#{clip.element}"/>'
        f'<audio src="{audio_href}" clipBegin="{clip.start:.3f}s" clipEnd="{clip.end:.3f}s"/></par>\n'
        for n, clip in enumerate(clips, start=1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<smil xmlns="http://www.w3.org/ns/SMIL" xmlns:epub="http://www.idpf.org/2007/ops" version="3.0">\n'
        f"<body>\n{pars}</body>\n</smil>\n"
    )


def identifier(article: Article) -> str:
    """The same slug, locale and version give the same book identifier (a name-based UUID)."""
    name = f"packager:{article.slug}:{article.locale}:{article.meta.version}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def package(
    article: Article, project: Project, context: dict[str, Any], images: dict[str, Path], audio: str, duration: float
) -> str:
    """The package document: metadata (Dublin Core, Media Overlays, EPUB Accessibility 1.1), manifest, spine."""
    meta = article.meta
    epoch = source_date_epoch()
    day = epoch.date().isoformat() if epoch else meta.reviewed.isoformat()
    modified = epoch.strftime("%Y-%m-%dT%H:%M:%SZ") if epoch else f"{meta.reviewed.isoformat()}T00:00:00Z"
    visual = bool(images)
    summary = (
        "The full text with headings, lists and tables in reading order, a table of contents by section, "
        "and a synthetic-voice narration synchronised with the text (Media Overlays) for headings, "
        "paragraphs, list items and table rows."
        + (" Every picture has a text description." if visual else " There are no pictures.")
    )
    dc = [
        ("identifier", identifier(article), ' id="uid"'),
        ("title", context["title"], ""),
        ("language", context["lang"], ""),
        *(("creator", author, "") for author in meta.authors),
        ("description", context["summary"], ""),
        ("publisher", project.settings.clinic.name.strip(), ""),
        ("date", day, ""),
        ("source", " ".join(meta.source.split()), ""),
        ("rights", meta.licence, ""),
    ]
    metas = [
        ("dcterms:modified", modified, ""),
        ("media:duration", clock(duration), ' refines="#overlay"'),
        ("media:duration", clock(duration), ""),
        ("media:active-class", ACTIVE_CLASS, ""),
        *(("schema:accessMode", mode, "") for mode in ["textual", "auditory", *(["visual"] if visual else [])]),
        ("schema:accessModeSufficient", "textual", ""),
        ("schema:accessModeSufficient", "textual,auditory", ""),
        *(
            ("schema:accessibilityFeature", feature, "")
            for feature in (
                "structuralNavigation",
                "synchronizedAudioText",
                "tableOfContents",
                "readingOrder",
                *(["alternativeText"] if visual else []),
            )
        ),
        ("schema:accessibilityHazard", "none", ""),
        ("schema:accessibilitySummary", summary, ""),
        ("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.1 Level AA", ""),
    ]
    lines = [f"<dc:{k}{attrs}>{escape(v)}</dc:{k}>" for k, v, attrs in dc if v]
    lines += [f'<meta property="{k}"{attrs}>{escape(v)}</meta>' for k, v, attrs in metas]
    items = [
        ("nav", "nav.xhtml", "application/xhtml+xml", ' properties="nav"'),
        ("content", CONTENT, "application/xhtml+xml", ' media-overlay="overlay"'),
        ("overlay", OVERLAY, "application/smil+xml", ""),
        ("css", "epub.css", "text/css", ""),
        ("audio", audio, "audio/mpeg", ""),
        *((f"image-{n}", href, IMAGE_TYPES[Path(href).suffix], "") for n, href in enumerate(images, start=1)),
    ]
    manifest = "".join(f'<item id="{i}" href={quoteattr(h)} media-type="{t}"{extra}/>\n' for i, h, t, extra in items)
    metadata = "".join(f"{line}\n" for line in lines)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid" '
        f'xml:lang="{context["lang"]}" dir="{context["dir"]}">\n'
        f'<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">\n{metadata}</metadata>\n'
        f"<manifest>\n{manifest}</manifest>\n"
        '<spine>\n<itemref idref="content"/>\n</spine>\n'
        "</package>\n"
    )


CONTAINER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">\n'
    '<rootfiles><rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/></rootfiles>\n'
    "</container>\n"
)


def ocf(entries: dict[str, bytes]) -> bytes:
    """The EPUB container: ``mimetype`` first and stored, then every file with a fixed date,
    compressed except the MP3 (already compressed): the same entries give the same bytes."""
    import io

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in [("mimetype", b"application/epub+zip"), *entries.items()]:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.external_attr = 0o644 << 16
            stored = name == "mimetype" or name.endswith(".mp3")
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            zf.writestr(info, data, compresslevel=None if stored else 9)
    return out.getvalue()


__all__ = ["EpubBuilder"]
