"""Language detection for English and Japanese text, by script.

Method
------
Japanese is the only supported language written in kana, so the share of Japanese-script
characters among letters decides. Let ``n_kana`` be the Hiragana + Katakana characters,
``n_han`` the CJK ideographs and ``n_latin`` the ASCII / Latin-1 letters. Then

.. math::

    r = \\frac{n_{kana} + n_{han}}{n_{kana} + n_{han} + n_{latin}}

and the text is Japanese (``"ja"``) when ``r >= 0.3`` and it holds at least one kana or
(for headline-length texts such as 「中国：ガリウム輸出規制」) at least two ideographs; otherwise
English (``"en"``). A text with no letters at all is ``"und"`` (undetermined). The threshold
0.3 keeps Japanese articles that quote long English company names and English articles that
quote a Japanese term. Only ``en`` and ``ja`` are modelled; other Latin-script languages are
reported as ``en`` (the classifier then has low confidence), which is documented in
``docs/text-intel.md``.
"""

from __future__ import annotations

SUPPORTED = ("en", "ja")


def calc_script_counts(text: str, limit: int = 4000) -> tuple[int, int, int]:
    """Count kana, CJK ideographs and Latin letters in the first ``limit`` characters.

    Returns
    -------
    (n_kana, n_han, n_latin) : tuple of int
    """
    n_kana = n_han = n_latin = 0
    for ch in text[:limit]:
        o = ord(ch)
        if 0x3040 <= o <= 0x30FF or 0xFF66 <= o <= 0xFF9F:
            n_kana += 1
        elif 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF:
            n_han += 1
        elif ch.isalpha() and o < 0x250:
            n_latin += 1
    return n_kana, n_han, n_latin


def detect_lang(text: str, declared: str | None = None) -> str:
    """Language of ``text``: ``"ja"``, ``"en"`` or ``"und"`` (no letters).

    Parameters
    ----------
    text : str
        The text (title and body).
    declared : str, optional
        A language declared by the source (``"ja"``, ``"en"``, ``"ja-JP"`` …). It is trusted when
        it is supported and the script does not contradict it (a declared ``en`` text that is
        mostly kana is still ``ja``).
    """
    n_kana, n_han, n_latin = calc_script_counts(text)
    total = n_kana + n_han + n_latin
    if total == 0:
        dec = (declared or "").lower()[:2]
        return dec if dec in SUPPORTED else "und"
    r = (n_kana + n_han) / total
    script_ja = r >= 0.3 and (n_kana > 0 or n_han >= 2)
    return "ja" if script_ja else "en"
