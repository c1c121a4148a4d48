"""Whole numbers written out for languages whose engines misread long digit strings.

eSpeak NG 1.51 says 375000 in Mandarin as "three hundred seventy-five thousand"
word for word (三百七十五千) and adds a stray "không trăm" in Vietnamese, so
lexicons for those languages ask for ``numbers: spell`` and get these spellers.
"""

from __future__ import annotations

from collections.abc import Callable

_ZH_DIGITS = "零一二三四五六七八九"
_ZH_SMALL = ("", "十", "百", "千")
_ZH_BIG = ("", "万", "亿", "万亿")


def _zh_group(n: int) -> str:
    out, zero = "", False
    for pos in (3, 2, 1, 0):
        d = n // 10**pos % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out, zero = out + "零", False
        out += ("两" if d == 2 and pos >= 2 else _ZH_DIGITS[d]) + _ZH_SMALL[pos]
    return out


def spell_zh(n: int, year: bool = False) -> str:
    """Mandarin in myriads (三十七万五千); a year digit by digit (二零二四), as it is said."""
    if year:
        return "".join(_ZH_DIGITS[int(c)] for c in str(n))
    if n == 0:
        return "零"
    groups, rest = [], n
    while rest:
        groups.append(rest % 10000)
        rest //= 10000
    if len(groups) > len(_ZH_BIG):  # too long to be a quantity (an ISBN, say): digit by digit
        return "".join(_ZH_DIGITS[int(c)] for c in str(n))
    out, gap = "", False
    for i in reversed(range(len(groups))):
        g = groups[i]
        if g == 0:
            gap = bool(out)
            continue
        if out and (gap or g < 1000):
            out += "零"
        out += _zh_group(g) + _ZH_BIG[i]
        gap = False
    return out[1:] if out.startswith("一十") else out


_VI_ONES = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_VI_SCALES = ("", "nghìn", "triệu", "tỷ")


def _vi_group(n: int, inner: bool) -> list[str]:
    h, t, u = n // 100, n // 10 % 10, n % 10
    words = [_VI_ONES[h], "trăm"] if h or inner else []
    if t == 0:
        if u:
            words += (["linh"] if words else []) + [_VI_ONES[u]]
    elif t == 1:
        words += ["mười"] + (["lăm" if u == 5 else _VI_ONES[u]] if u else [])
    else:
        words += [_VI_ONES[t], "mươi"] + ([{1: "mốt", 5: "lăm"}.get(u, _VI_ONES[u])] if u else [])
    return words


def spell_vi(n: int, year: bool = False) -> str:
    """Vietnamese in thousands: ba trăm bảy mươi lăm nghìn; years are said as numbers."""
    if n == 0:
        return "không"
    groups, rest = [], n
    while rest:
        groups.append(rest % 1000)
        rest //= 1000
    if len(groups) > len(_VI_SCALES):  # too long to be a quantity (an ISBN, say): digit by digit
        return " ".join(_VI_ONES[int(c)] for c in str(n))
    words: list[str] = []
    for i in reversed(range(len(groups))):
        if groups[i]:
            words += _vi_group(groups[i], inner=bool(words)) + ([_VI_SCALES[i]] if _VI_SCALES[i] else [])
    return " ".join(words)


SPELLERS: dict[str, Callable[[int, bool], str]] = {"zh": spell_zh, "vi": spell_vi}


def speller(locale: str) -> Callable[[int, bool], str] | None:
    return SPELLERS.get(locale.split("_")[0])
