"""``EpubBuilder``: the Builder for ``--format epub``.

Per locale, ``<slug>.epub`` (EPUB 3.3): the article as one XHTML content document, made from
the print edition's views and block templates (``blocks.html``), the navigation document, the
narration's MP3 and one Media Overlay (SMIL) that says when each heading, paragraph, list item,
table row and figure of the text is spoken. The narration is the ``audio`` format's output
(``needs=("audio",)``): its ``<slug>.timings.json`` gives every utterance's start and end.

Which utterance speaks which element is decided in :mod:`packager.render.narrated`, shared
with the listening-station site.
"""

from __future__ import annotations

import uuid
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from packager import glossary, inline
from packager.builders import Product, Progress
from packager.document import Article
from packager.errors import PackagerError
from packager.i18n.ui import ui_gettext, ui_paths
from packager.project import Project, source_date_epoch
from packager.render.narrated import IMAGE_TYPES, Clip, Ids, assign_ids, narration_files, spoken_clips

HERE = Path(__file__).resolve().parent
CONTENT = "content.xhtml"
OVERLAY = "content.smil"
ACTIVE_CLASS = "mo-active"  # defined in themes/epub.css
#: Zip entries get this fixed date: the same inputs give the same bytes.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class EpubBuilder:
    name = "epub"
    preload = ()

    def outputs(self, article: Article) -> list[str]:
        return [f"{article.slug}.epub"]

    def inputs(self, project: Project, locale: str) -> list[Path | str]:
        templates = HERE / "templates"
        return [
            Path(__file__).resolve(),
            HERE / "narrated.py",
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

        folder, mp3_name, timings = narration_files(article, project)
        try:
            mp3 = (folder / mp3_name).read_bytes()
        except OSError as exc:
            raise PackagerError(f"the EPUB needs the narration's {mp3_name}: {exc}") from exc
        article = glossary.place(article)  # the definitions are elements the narration speaks
        context = html.article_context(article, project, html.HANDOUT, sentences=True)
        images = Ids()
        elements = assign_ids(article, context, images, project)
        clips = [clip for part in spoken_clips(elements, timings, images).values() for clip in part]
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
