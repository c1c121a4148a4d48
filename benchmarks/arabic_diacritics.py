"""Arabic diacritic coverage of the shipped narration, and the words a native speaker should check.

Builds the Arabic speech script (no synthesis) with and without the diacritiser and prints:
diacritics per Arabic letter (the figure issue 15 measured: 1.2% before), the share of
consonants left without a mark where one is due (long-vowel letters, the article's lam before
a sun letter and a final letter before a pause take none), and the words to review: those the
model marked in more than one way, then the rest by frequency.

    .venv/bin/python benchmarks/arabic_diacritics.py [--words N]
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from packager.i18n.translate import localized  # noqa: E402
from packager.project import load_project  # noqa: E402
from packager.source import read_article  # noqa: E402
from packager.speech.diacritics import ARABIC_LETTER, DIACRITIC, coverage  # noqa: E402
from packager.speech.lexicon import load_lexicon  # noqa: E402
from packager.speech.script import build_script  # noqa: E402

WORD = re.compile(r"[\u0621-\u063a\u0641-\u064a\u064b-\u0652]+")
#: Letters that take no mark of their own: long vowels and alif forms (and the article's lam, handled below).
UNMARKED_BY_RULE = set("اآىأإءوية")
SUN_LETTERS = set("تثدذرزسشصضطظلن")


def texts(diacritise: bool) -> list[str]:
    project = load_project(REPO)
    slug = sorted(project.source_dir.glob("*.md"))[0].stem
    article = localized(project, read_article(project.source_dir / f"{slug}.md"), "ar")
    lexicon = load_lexicon(project.locales_dir, "ar")
    if not diacritise:
        lexicon = dataclasses.replace(lexicon, diacritise="")
    return [u.text for u in build_script(article, lexicon).utterances()]


def missing_marks(words: list[str]) -> tuple[int, int]:
    """(consonants without a mark where one is due, consonants) over ``words``."""
    due = bare = 0
    for word in words:
        letters = [(m.start(), m.group(0)) for m in ARABIC_LETTER.finditer(word)]
        for i, (at, letter) in enumerate(letters):
            if letter in UNMARKED_BY_RULE or i == len(letters) - 1:
                continue
            if letter == "ل" and i == 1 and word.startswith("ا") and letters[i + 1][1] in SUN_LETTERS:
                continue
            due += 1
            bare += not DIACRITIC.match(word, at + 1)
    return bare, due


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=40, help="how many words to list for review")
    args = parser.parse_args()
    before, after = texts(False), texts(True)
    words = [w for t in after for w in WORD.findall(t)]
    bare, due = missing_marks(words)
    letters = sum(len(ARABIC_LETTER.findall(t)) for t in after)
    print(f"diacritics per Arabic letter: before {coverage(before):.1%}, after {coverage(after):.1%}", end=" ")
    print(f"({letters} letters)")
    print(f"consonants without a due mark: {bare} of {due} ({bare / due:.1%})")
    forms: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for word in words:
        forms[DIACRITIC.sub("", word)][word] += 1
    varied = sorted((w for w in forms if len(forms[w]) > 1), key=lambda w: -sum(forms[w].values()))
    print(f"\nwords marked in more than one way ({len(varied)}): check each form in context")
    for word in varied[: args.words]:
        print("  " + word + ": " + ", ".join(f"{f} ({n})" for f, n in forms[word].most_common()))
    frequent = sorted((w for w in forms if w not in varied), key=lambda w: -sum(forms[w].values()))
    print(f"\nmost frequent words, one form each (first {args.words}):")
    for word in frequent[: args.words]:
        print(f"  {next(iter(forms[word]))} ({sum(forms[word].values())})")


if __name__ == "__main__":
    main()
