"""Chinese characters as pinyin with tone numbers, for eSpeak NG's Mandarin pinyin voice.

eSpeak's own character dictionary reads one character at a time, so it misses
words whose reading differs (称为 is chēng wéi, not wèi) and the tone changes
of 一 and 不 (一个 yí gè, 不对 bú duì). pypinyin reads by phrase and applies
those tone changes; its dictionary ships in the package, so this stays offline.
"""

from __future__ import annotations

import re

#: Full-width punctuation as the Latin pinyin voice knows it (it pauses at these).
_PUNCTUATION = str.maketrans({"。": ".", "，": ",", "、": ",", "；": ";", "：": ":", "！": "!", "？": "?"})
_HAN = re.compile(r"[\u3400-\u9fff]")


def version() -> str:
    """pypinyin's version, from its package record: importing it loads its whole dictionary."""
    from importlib.metadata import version as installed

    return f"pypinyin {installed('pypinyin')}"


def to_pinyin(text: str) -> str:
    """``称为一个`` -> ``cheng1 wei2 yi2 ge4``; other text (Latin, digits, punctuation) is kept."""
    if not _HAN.search(text):
        return text.translate(_PUNCTUATION)
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True, tone_sandhi=True)
    said = " ".join(s.strip() for s in syllables if s.strip())
    said = said.translate(_PUNCTUATION)
    said = re.sub(r"([,.;:!?])(?=[^\s,.;:!?])", r"\1 ", said)
    return re.sub(r" ([,.;:!?])", r"\1", said)
