"""Pinyin initials of a name for quick search: 陈志富 → "czf".

Officers type initials on phones and in the township office; a name's first character is a surname, read the
surname way (曾 zēng, not céng; 单 shàn, not dān), which pypinyin's everyday readings get wrong.
"""

from __future__ import annotations

from functools import lru_cache

# Surnames whose surname reading differs from the everyday reading pypinyin picks (first letter only).
SURNAME_INITIALS = {
    "曾": "z", "单": "s", "解": "x", "区": "o", "仇": "q", "朴": "p", "查": "z", "覃": "q", "盖": "g", "乐": "y",
    "缪": "m", "翟": "z", "尉": "y", "召": "s", "折": "s", "员": "y", "种": "c", "繁": "p", "缴": "j", "柏": "b",
    "秘": "b", "长": "z", "重": "c", "万": "w", "谌": "c", "祭": "z", "莘": "s", "纪": "j", "隗": "w", "句": "g",
}
COMPOUND_SURNAMES = {"欧阳": "oy", "司马": "sm", "上官": "sg", "诸葛": "zg", "东方": "df", "皇甫": "hf", "尉迟": "yc",
                     "公孙": "gs", "令狐": "lh", "慕容": "mr", "夏侯": "xh", "长孙": "zs", "宇文": "yw", "司徒": "st"}


@lru_cache(maxsize=65536)
def _char_initial(ch: str) -> str:
    from pypinyin import Style, lazy_pinyin

    if ch.isascii():
        return ch.lower() if ch.isalnum() else ""
    out = lazy_pinyin(ch, style=Style.FIRST_LETTER, errors="ignore")
    return out[0][:1].lower() if out and out[0] else ""


def initials(name: str) -> str:
    """Lower-case initials, at most 32 characters; separators (·, spaces) and unknown characters are skipped."""
    name = (name or "").strip()
    if not name:
        return ""
    head = ""
    rest = name
    if (ini := COMPOUND_SURNAMES.get(name[:2])) is not None:
        head, rest = ini, name[2:]
    elif name[0] in SURNAME_INITIALS:
        head, rest = SURNAME_INITIALS[name[0]], name[1:]
    return (head + "".join(_char_initial(c) for c in rest))[:32]
