"""Text measures platforms' length limits need. Pure functions, no dependency."""

from __future__ import annotations

import unicodedata

_ZWJ = 0x200D
_CR, _LF = 0x0D, 0x0A


def _extends_cluster(code: int, char: str) -> bool:
    """True for code points that never start a grapheme cluster of their own."""
    return (
        unicodedata.category(char) in ("Mn", "Mc", "Me")  # combining, spacing and enclosing marks
        or code == _ZWJ
        or 0xFE00 <= code <= 0xFE0F  # variation selectors (text/emoji presentation)
        or 0xE0100 <= code <= 0xE01EF  # variation selectors supplement
        or 0x1F3FB <= code <= 0x1F3FF  # emoji skin-tone modifiers
        or 0xE0020 <= code <= 0xE007F  # tag characters (subdivision flags such as Scotland)
        or 0x1160 <= code <= 0x11FF  # Hangul medial vowels and final consonants
    )


def _is_pictographic(code: int, char: str) -> bool:
    return (
        0x1F000 <= code <= 0x1FAFF
        or 0x2600 <= code <= 0x27BF
        or 0x2300 <= code <= 0x23FF
        or 0x2B00 <= code <= 0x2BFF
        or unicodedata.category(char) == "So"
    )


def grapheme_count(text: str) -> int:
    """The number of user-perceived characters, approximating Unicode extended grapheme clusters.

    Python's standard library has no grapheme segmentation, and careline takes no dependency
    for it. This counts one cluster per code point, except that these join the cluster before
    them: combining/spacing/enclosing marks, ZWJ and the pictograph that follows a ZWJ,
    variation selectors, skin-tone modifiers, emoji tag characters, Hangul medial and final
    jamo, the second of a pair of regional indicators (a flag) and LF after CR. It ignores the
    rarer rules (prepended marks, Indic conjunct linkers), where it may count one too many —
    the safe direction for a length limit.
    """
    count = 0
    after_zwj = False
    open_flag = False  # the previous code point was an unpaired regional indicator
    after_cr = False
    for char in text:
        code = ord(char)
        joins = count > 0 and (
            _extends_cluster(code, char)
            or (after_zwj and _is_pictographic(code, char))
            or (open_flag and 0x1F1E6 <= code <= 0x1F1FF)
            or (after_cr and code == _LF)
        )
        if joins:
            open_flag = False
        else:
            count += 1
            open_flag = 0x1F1E6 <= code <= 0x1F1FF
        after_zwj = code == _ZWJ
        after_cr = code == _CR
    return count
