"""A synthetic library for measurement: N articles x M locales, made from the shipped article.

Article ``k`` is the shipped article under another slug (``<slug>-k``) with its title
numbered, so each has its own sources, catalogs and outputs. The source language counts
as one of the M locales; the other M-1 are pseudo-translations into real Latin-script
locales that eSpeak NG speaks (the vowels of plain words accented, so
the text differs from the source but numbers, links and markup are untouched and the
translation checks pass). Deterministic: the same N and M give the same bytes. Never
committed: made in a temporary folder by the benchmark, or wherever it is told.

    .venv/bin/python benchmarks/library.py DEST --articles 10 --locales 5
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from unittest.mock import patch

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

#: Pseudo-translation targets: Latin script (fonts everywhere), a voice in eSpeak NG each.
PSEUDO_LOCALES = ("es", "fr", "de", "it", "pt", "nl", "sv", "da", "pl", "cs", "fi", "ro", "hu", "tr", "id")
_ACCENTS = str.maketrans("aeiouAEIOU", "áéíóúÁÉÍÓÚ")
_PLAIN_WORD = re.compile(r"^([(\"']?)([A-Za-z]+)([.,;:!?)\"']*)$")


def pseudo(text: str) -> str:
    """Accent the vowels of plain words only: addresses, placeholders and markup stay as they are, and a
    message with a number stays whole (its unit words, like "million", are checked against the source)."""
    if any(c.isdigit() for c in text):
        return text
    words = []
    for word in text.split(" "):
        match = _PLAIN_WORD.match(word)
        words.append(match[1] + match[2].translate(_ACCENTS) + match[3] if match else word)
    return " ".join(words)


def _first_sections(text: str, sections: int) -> str:
    """The article cut after its first ``sections`` sections, its glossary cut to the terms the
    rest still uses (a glossary term the text never uses is an error)."""
    import yaml

    _, front, body = text.split("---\n", 2)
    body = "\n## ".join(body.split("\n## ")[: sections + 1]) + "\n"
    meta = yaml.safe_load(front)
    if meta.get("glossary"):
        from packager.segment import find_word

        meta["glossary"] = [e for e in meta["glossary"] if find_word(body, e["term"], "en")]
        if not meta["glossary"]:
            del meta["glossary"]
    return f"---\n{yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)}---\n{body}"


#: A line of text a distinct article marks: the part before its words (a list marker, a quote's
#: ">", a heading's "#"), then a letter. Tables, notes, admonitions and code are left alone.
_TEXT_LINE = re.compile(r"^((?:[-*+] |\d+\. |> |#+ )?)(?=[A-Za-z*])")


def _distinct(text: str, k: int) -> str:
    """Article ``k`` with a word of its own ("Kab" for 2) at the start of every line of text, so
    that no paragraph is another article's: a library of different articles, for the caches."""
    tag = ""
    while k:
        k, letter = divmod(k - 1, 26)
        tag = chr(ord("a") + letter) + tag
    _, front, body = text.split("---\n", 2)
    lines = [
        line if "[!" in line or "[^" in line else _TEXT_LINE.sub(lambda m: f"{m[1]}Ka{tag} ", line, count=1)
        for line in body.split("\n")
    ]
    return f"---\n{front}---\n" + "\n".join(lines)


#: The date the library's catalogs carry when SOURCE_DATE_EPOCH does not set one (2026-01-01):
#: else the clock's minute, and two libraries made either side of a minute differ, which a test
#: comparing two checkouts' builds (tests/test_distributed.py) saw as a cache miss.
EPOCH = "1767225600"


def make_library(dest: Path, articles: int, locales: int, sections: int = 0, distinct: bool = False) -> Path:
    """Write project files (source/, locales/) for ``articles`` x ``locales`` into ``dest``.

    ``sections``: keep only the article's first sections (0: all), for tests that need a short one.
    ``distinct``: every article's text its own (see :func:`_distinct`); else they repeat one text.
    """
    from packager.i18n.pofile import read_catalog, write_catalog
    from packager.i18n.workflow import extract, init
    from packager.project import load_project

    if not 1 <= locales <= len(PSEUDO_LOCALES) + 1:
        raise SystemExit(f"--locales must be 1 to {len(PSEUDO_LOCALES) + 1}")
    shipped = next((REPO / "source").glob("*.md"))
    text = shipped.read_text(encoding="utf-8")
    if sections:
        text = _first_sections(text, sections)
    slug = shipped.stem
    (dest / "source").mkdir(parents=True, exist_ok=True)
    (dest / "locales").mkdir(parents=True, exist_ok=True)
    for k in range(1, articles + 1):
        numbered = text.replace(f"slug: {slug}\n", f"slug: {slug}-{k}\n", 1)
        numbered = re.sub(r"^title: (.*)$", rf"title: \1 ({k})", numbered, count=1, flags=re.MULTILINE)
        numbered = _distinct(numbered, k) if distinct else numbered
        (dest / "source" / f"{slug}-{k}.md").write_text(numbered, encoding="utf-8")
    project = load_project(dest)
    dated = {} if os.environ.get("SOURCE_DATE_EPOCH") else {"SOURCE_DATE_EPOCH": EPOCH}
    with patch.dict(os.environ, dated):  # set while the catalogs are made, then as it was
        extract(project)
        for locale in PSEUDO_LOCALES[: locales - 1]:
            for path in init(project, locale):
                catalog = read_catalog(path, locale=locale)
                for message in catalog:
                    if message.id and isinstance(message.id, str):
                        message.string = pseudo(message.id)
                write_catalog(path, catalog)
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path, help="an empty or new folder")
    parser.add_argument("--articles", type=int, default=10)
    parser.add_argument("--locales", type=int, default=5, help="locales per article, the source language included")
    parser.add_argument("--distinct", action="store_true", help="no two articles share a paragraph")
    args = parser.parse_args()
    if args.dest.exists() and any(args.dest.iterdir()):
        raise SystemExit(f"{args.dest} is not empty")
    make_library(args.dest, args.articles, args.locales, distinct=args.distinct)
    print(f"{args.articles} articles x {args.locales} locales in {args.dest}")


if __name__ == "__main__":
    main()
