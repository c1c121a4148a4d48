"""``SiteBuilder``: the listening station, ``--format site``, and its home page.

Per locale, ``build/site/<locale>/<slug>.html``: the article as a web page made from the print
edition's views and block templates (``blocks.html``), each part of the narration beside its
section (the ``audio`` format's per-part MP3s, copied so that ``build/site/`` works alone on a
kiosk, a USB stick or a static host), and the element being read highlighted from the
narration's own timings (:mod:`packager.render.narrated`, shared with the EPUB). The timings
are in the page (a JSON script element): no fetch, so the page works from ``file://``.

After every build :func:`write_home` writes ``build/site/index.html`` (every published
language, in its own name and script) and the shared ``assets/`` from the manifest, as
``build/index.html`` is written.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from markupsafe import Markup

from packager import glossary
from packager.builders import Product, Progress
from packager.document import Article
from packager.errors import PackagerError
from packager.i18n.ui import DRAFT_NOTICE, N_, outdated_notice, ui_gettext, ui_paths
from packager.project import Project
from packager.render.narrated import Ids, assign_ids, narration_files, spoken_clips

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
ASSETS = ("site.css", "site.js")
#: The speeds a listener can choose.
SPEEDS = (0.75, 1.0, 1.25, 1.5)


class SiteBuilder:
    name = "site"
    preload = ()

    def outputs(self, article: Article) -> list[str]:
        """The page first; the narration's parts and the pictures are named when it is built."""
        return [f"{article.slug}.html"]

    def inputs(self, project: Project, locale: str) -> list[Path | str]:
        templates = HERE / "templates"
        return [
            Path(__file__).resolve(),
            HERE / "narrated.py",
            HERE / "html.py",
            templates / "site-page.html",
            templates / "site-base.html",
            templates / "blocks.html",
            *ui_paths(project.locales_dir, locale, project.settings.source_language),
        ]

    def preflight(self, project: Project, locales: list[str]) -> None:
        return None

    def build(self, article: Article, project: Project, progress: Progress) -> Product:
        from packager.render import html
        from packager.speech.builder import track_path

        folder, _mp3, timings = narration_files(article, project)
        article = glossary.place(article)  # the definitions are elements the narration speaks
        context = html.article_context(article, project, html.HANDOUT, sentences=True)
        ids = Ids(images=f"{article.slug}/images")
        elements = assign_ids(article, context, ids, project)
        clips = spoken_clips(elements, timings, ids)
        files: dict[str, bytes] = {}
        parts: list[dict[str, Any]] = []
        for number, part in enumerate(timings["sections"], start=1):
            if part["id"] not in elements:
                continue  # spoken only (the closing): no text on the page to follow
            track = track_path(article.slug, number, part["id"])
            try:
                files[track] = (folder / track).read_bytes()
            except OSError as exc:
                raise PackagerError(f"the listening station needs the narration's {track}: {exc}") from exc
            start = float(part["start"])
            cues = [[c.element, round(c.start - start, 3), round(c.end - start, 3)] for c in clips[part["id"]]]
            parts.append({"id": part["id"], "audio": track, "cues": cues, "title": part["title"]})
        players = {part["id"]: {"n": n, **part} for n, part in enumerate(parts)}
        _ = ui_gettext(project.locales_dir, article.locale)
        data = json.dumps({"parts": [{"audio": p["audio"], "cues": p["cues"]} for p in parts]}, ensure_ascii=False)
        from babel.numbers import format_decimal

        from packager.speech.script import NOTES_ID, OPENING_ID

        lang = context["lang"]
        page = (
            html._environment()
            .get_template("site-page.html")
            .render(
                {
                    **context,
                    "opening_player": players.get(OPENING_ID),
                    "notes_player": players.get(NOTES_ID),
                    "players": players,
                    "narration": Markup(data.replace("<", "\\u003c")),  # JSON never closes the script element
                    "speeds": [(f"{s:g}", format_decimal(s, locale=lang.replace("-", "_")) + "×") for s in SPEEDS],
                    "ui": _ui(_),
                    "assets": "../assets",
                }
            )
        )
        for href, path in ids.files.items():
            files[href] = path.read_bytes()
        marks = [_(DRAFT_NOTICE)] if article.draft else []
        if article.outdated:
            marks.append(outdated_notice(article, project.locales_dir, article.locale))
        info = {"title": context["title"], "lang": lang, "dir": context["dir"], "marks": marks}
        info["source_language"] = article.meta.language
        return Product(files={self.outputs(article)[0]: page.encode(), **files}, info=info)


def _ui(_: Any) -> dict[str, str]:
    """The interface's words in the page's language (the project's interface catalogs)."""
    words = {
        "languages": N_("All languages"),
        "skip": N_("Skip to the article"),
        "settings": N_("Reading settings"),
        "speed": N_("Speed"),
        "larger": N_("Larger text"),
        "contrast": N_("High contrast"),
        "narration": N_("Narration"),
        "play": N_("Play"),
        "pause": N_("Pause"),
        "previous": N_("Previous section"),
        "next": N_("Next section"),
    }
    return {key: _(text) for key, text in words.items()}


def write_home(build_dir: Path, manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """``build/site/index.html`` and ``build/site/assets/``: every published page of the site, each
    language in its own name and script; nothing when no site page was built. Returns their entries."""
    from packager.atomic import write_if_changed
    from packager.builders import FORMATS
    from packager.i18n.cldr import native_name

    folder = build_dir / FORMATS["site"].folder
    pages = [
        out
        for entry in manifest["targets"].values()
        for out in entry["outputs"]
        if out.get("format") == "site" and out.get("main")
    ]
    if not pages:
        return []
    source = pages[0]  # its article's source language is the home page's own
    items = []
    for out in sorted(pages, key=lambda o: (o["locale"] != o.get("source_language"), o["locale"], o["article"])):
        name = native_name(out["locale"])
        items.append({**out, "href": Path(out["path"]).relative_to(FORMATS["site"].folder).as_posix(), "name": name})
    from packager.i18n.ui import ui_gettext as gettext
    from packager.render import html

    home_locale = str(source.get("source_language") or source["locale"])
    _ = gettext(build_dir.parent / "locales", home_locale)  # the project's: build/ is beside locales/
    page = (
        html._environment()
        .get_template("site-home.html")
        .render(
            {
                "lang": html.html_lang(home_locale),
                "dir": html.direction(home_locale),
                "items": items,
                "heading": _("Choose your language"),
                "title": _("Listening station"),
                "assets": "assets",
            }
        )
    )
    files = {"index.html": page.encode(), **{f"assets/{a}": (STATIC / a).read_bytes() for a in ASSETS}}
    entries = []
    for name, data in files.items():
        write_if_changed(folder / name, data, tmp_dir=build_dir / ".tmp")
        path = (folder / name).relative_to(build_dir).as_posix()
        entries.append({"path": path, "format": "site", "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})
    return entries


__all__ = ["SiteBuilder", "write_home"]
