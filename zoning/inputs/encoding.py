"""Detect and repair Vietnamese text stored in the legacy TCVN3 and VNI 8-bit encodings.

Old shapefiles often hold names typed with ABC/.VnTime fonts (TCVN3) or VNI-Times fonts
(VNI). Without a ``.cpg`` file GDAL decodes their ``.dbf`` bytes as Latin-1, so
"Vùng đệm" reads "Vïng ®Öm" (TCVN3) or "Vuøng ñeäm" (VNI). This module works on such
Latin-1 (or cp1252) strings: :func:`detect_legacy_encoding` scores a layer's texts,
:func:`decode_legacy` turns them back into NFC Unicode and :func:`encode_legacy` is the
inverse, used to build test fixtures.

Tables
------
TCVN3 follows TCVN 5712:1993. Its VN3 part (what "TCVN3"/ABC fonts use) has the 67
lowercase letters and only 7 uppercase ones (Ă Â Ê Ô Ơ Ư Đ); uppercase toned letters were
drawn by switching to an all-capitals font (.VnTimeH) and typing the *lowercase* code, so
such text decodes to lowercase and its case cannot be recovered. VN2 adds 16 uppercase
toned letters in the gaps of 0xA0-0xFF and the combining tone marks 0xB0-0xB4; VN1 puts the
remaining 44 in C0/C1 control positions. Decoding accepts the whole VN1 table (a superset of
VN3, as in glibc's ``TCVN5712-1``); encoding writes VN3 codes wherever they exist and VN1/VN2
codes for uppercase toned letters, so every letter round-trips.

VNI is VNI Software's "VNI for Windows" font encoding: a base letter followed by a
diacritic byte ("a" + 0xF8 "ø" = à, "a" + 0xE8 "è" = ằ), with single bytes for ơ ư đ and
for ì í ỉ ĩ ị ỵ, and separate upper-case diacritic bytes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

TCVN3 = "TCVN3"
VNI = "VNI"

# The 67 lowercase Vietnamese letters outside ASCII; per vowel: (modified base,) grave,
# hook above, tilde, acute, dot below. The uppercase list is aligned with it.
_LOWER = (
    "àảãáạ" "ăằẳẵắặ" "âầẩẫấậ" "èẻẽéẹ" "êềểễếệ" "ìỉĩíị"
    "òỏõóọ" "ôồổỗốộ" "ơờởỡớợ" "ùủũúụ" "ưừửữứự" "ỳỷỹýỵ" "đ"
)
_UPPER = _LOWER.upper()

# TCVN 5712:1993 byte of each letter of _LOWER / _UPPER, group by group.
_TCVN3_LOWER = bytes.fromhex(
    "b5 b6 b7 b8 b9  a8 bb bc bd be c6  a9 c7 c8 c9 ca cb  cc ce cf d0 d1  "
    "aa d2 d3 d4 d5 d6  d7 d8 dc dd de  df e1 e2 e3 e4  ab e5 e6 e7 e8 e9  "
    "ac ea eb ec ed ee  ef f1 f2 f3 f4  ad f5 f6 f7 f8 f9  fa fb fc fd fe  ae"
)
_TCVN3_UPPER = bytes.fromhex(
    "80 81 82 83 84  a1 af ba bf c0 85  a2 c1 c2 c3 c4 86  87 88 89 8a 8b  "
    "a3 c5 cd d9 da 8c  8d 8e 8f 90 91  92 93 94 95 96  a4 db e0 f0 ff 97  "
    "a5 98 99 9a 9b 9c  9d 9e 9f 01 02  a6 04 05 06 11 12  13 14 15 16 17  a7"
)
# VN2 combining tone marks: grave, hook above, tilde, acute, dot below.
_TCVN3_MARKS = {
    "\xb0": "\u0300", "\xb1": "\u0309", "\xb2": "\u0303", "\xb3": "\u0301", "\xb4": "\u0323"
}

# VNI for Windows spelling of each letter of _LOWER / _UPPER, as Latin-1 text.
_VNI_LOWER = (
    "aø aû aõ aù aï  aê aè aú aü aé aë  aâ aà aå aã aá aä  eø eû eõ eù eï  "
    "eâ eà eå eã eá eä  ì æ ó í ò  oø oû oõ où oï  oâ oà oå oã oá oä  "
    "ô ôø ôû ôõ ôù ôï  uø uû uõ uù uï  ö öø öû öõ öù öï  yø yû yõ yù î  ñ"
).split()
_VNI_UPPER = (
    "AØ AÛ AÕ AÙ AÏ  AÊ AÈ AÚ AÜ AÉ AË  AÂ AÀ AÅ AÃ AÁ AÄ  EØ EÛ EÕ EÙ EÏ  "
    "EÂ EÀ EÅ EÃ EÁ EÄ  Ì Æ Ó Í Ò  OØ OÛ OÕ OÙ OÏ  OÂ OÀ OÅ OÃ OÁ OÄ  "
    "Ô ÔØ ÔÛ ÔÕ ÔÙ ÔÏ  UØ UÛ UÕ UÙ UÏ  Ö ÖØ ÖÛ ÖÕ ÖÙ ÖÏ  YØ YÛ YÕ YÙ Î  Ñ"
).split()

_TCVN3_ENCODE = dict(zip(_LOWER + _UPPER, map(chr, _TCVN3_LOWER + _TCVN3_UPPER), strict=True))
_TCVN3_SPELL = _TCVN3_ENCODE | {tone: code for code, tone in _TCVN3_MARKS.items()}
_VNI_ENCODE = dict(zip(_LOWER + _UPPER, _VNI_LOWER + _VNI_UPPER, strict=True))

# cp1252 shows bytes 0x80-0x9F (all VN1 uppercase letters) as these characters.
_CP1252_C1 = {
    shown: chr(byte)
    for byte in range(0x80, 0xA0)
    if (shown := bytes([byte]).decode("cp1252", errors="ignore"))
}
_TCVN3_LETTERS = {code: letter for letter, code in _TCVN3_ENCODE.items()}
_TCVN3_DECODE = str.maketrans(
    _TCVN3_LETTERS | {shown: _TCVN3_LETTERS[code] for shown, code in _CP1252_C1.items()}
)
# A VN2 tone mark only makes sense after a letter; elsewhere (e.g. "25°C") it stays as is.
_TCVN3_MARK_AFTER_LETTER = re.compile(r"(?<=[^\W\d_])[\xb0-\xb4]")
_VNI_DECODE = {code: letter for letter, code in _VNI_ENCODE.items() if code != letter}
_VNI_CODE = re.compile("|".join(sorted(map(re.escape, _VNI_DECODE), key=len, reverse=True)))

# ---- detection ----------------------------------------------------------------------
# A layer is called legacy-encoded when at least _MIN_HITS words carry a marker of one
# encoding and decode to a well-formed Vietnamese syllable, and that encoding has at least
# _DOMINANCE times as many such words as each rival reading (the other legacy encoding and
# Windows-1258 read as Latin-1).
_MIN_HITS = 2
_DOMINANCE = 3
_CP1258 = "cp1258"

# TCVN3 markers: the VN3 codes that Latin-1 shows as symbols (¡-® for Ă Â Ê Ô Ơ Ư Đ ă â ê
# ô ơ ư đ; µ-¹ and »-¾ for toned a and ă), × and ÷ (ì, ữ), and the VN1 control positions,
# raw or as cp1252 shows them. None occurs in Unicode Vietnamese; in Western text they are
# symbols, or letters (Œ, Š) of words that are no Vietnamese syllable. The micro sign only
# counts inside a word ("µm" is a unit); the rare VN2 codes (°, ², º, ¿, ...) are decoded
# but not used as evidence.
_TCVN3_MARKERS = frozenset(
    [chr(code) for code in _TCVN3_LOWER if code < 0xC0]
    + [chr(code) for code in range(0xA1, 0xA8)]
    + [chr(code) for code in _TCVN3_UPPER if code < 0xA0]
    + ["×", "÷"]
    + list(_CP1252_C1)
)
# ... and a Latin-1 capital inside a word ("ViÖt", "NguyÔn", "VÜnh"): TCVN3 puts many
# lowercase toned vowels on codes that Latin-1 shows as capitals.
_TCVN3_CASE_BREAK = re.compile(r"[a-zß-öø-ÿ][À-ÖØ-Þ]|[A-Za-zÀ-ÖØ-öø-ÿ][À-ÖØ-Þ][a-zß-öø-ÿ]")
# VNI markers: the codes of đ and ư ("ñ", "ö"; not in Vietnamese, and a Spanish or German
# word using them is no Vietnamese syllable) and base letter + diacritic pairs, except the
# pairs that also occur in Unicode Vietnamese ("hoà", "hoá", "ngoã") or in French, Spanish
# or Portuguese words ("où", "goût", "naïf", "Moïse", "ambiguïté", "eût", "aérien",
# "Raphaël", "Raúl").
_VNI_AMBIGUOUS = {"oà", "oá", "oã", "où", "oû", "aï", "oï", "uï", "eû", "aé", "aë", "aú"}
_VNI_MARKERS = frozenset(
    [code for code in _VNI_DECODE if len(code) == 2 and code.lower() not in _VNI_AMBIGUOUS]
    + ["ñ", "Ñ", "ö", "Ö"]
)
# Windows-1258 marker: one of its combining tone bytes (grave Ì, hook Ò, tilde Þ, acute ì,
# dot below ò) after a vowel; Latin-1 shows them as letters that TCVN3 also uses.
_CP1258_TONE_AFTER_VOWEL = re.compile(r"[aeiouyâêôãõýAEIOUYÂÊÔÃÕÝ][ÌÒÞìò]")
# Words are split at ASCII whitespace, punctuation and digits and at the no-break space;
# every other Latin-1 character may be part of a legacy-encoded letter.
_WORD_SEPARATORS = re.compile(r"[ \t\n\r\f\v\xa0!-/:-@\[-`{-~0-9]+")
_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
# Vietnamese vowel nuclei (the vowels of a syllable, before its final consonant).
_NUCLEI = (
    "iêu oai oao oay oeo uây uôi uya uyê uyu ươi ươu yêu "
    "ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi oo ua uâ uê ui uô uơ uy ưa ưi ưu ươ yê "
    "a ă â e ê i o ô ơ u ư y"
).split()
_SYLLABLE = re.compile(
    r"(?:ngh|ng|gh|nh|ch|kh|ph|th|tr|gi|qu|[bcdđghklmnprstvx])?"
    rf"(?:{'|'.join(_NUCLEI)})"
    r"(?:ch|ng|nh|[cmnptk])?"
)


def detect_legacy_encoding(texts: Iterable[str]) -> str | None:
    """Tell whether a layer's texts are TCVN3 or VNI read as Latin-1.

    Parameters
    ----------
    texts
        The layer's text values as GDAL returned them (Latin-1 or cp1252 decoding);
        items that are not strings (None, NaN) are skipped.

    Returns
    -------
    str or None
        ``"TCVN3"`` or ``"VNI"``; None for ASCII, Unicode Vietnamese, Western European
        text or too little evidence.

    Notes
    -----
    Each word counts as a hit for an encoding when it holds one of that encoding's marker
    characters or pairs (none occurs in Unicode Vietnamese) and decodes to a single
    well-formed Vietnamese syllable. A text with a character that no 8-bit decoding
    produces (such as "ằ") is Unicode and is not scored. Windows-1258 read as Latin-1
    ("Cao BãÌng") is scored too, as a rival: its tone bytes look like TCVN3 letters. The
    layer is legacy-encoded when one encoding has at least two hits and three times as many
    as each rival.
    """
    hits = {TCVN3: 0, VNI: 0, _CP1258: 0}
    for text in texts:
        if not isinstance(text, str) or text.isascii() or not _is_8bit(text):
            continue
        for word in _WORD_SEPARATORS.split(text):
            if _has_tcvn3_marker(word) and _is_syllable(decode_legacy(word, TCVN3)):
                hits[TCVN3] += 1
            if _has_vni_marker(word) and _is_syllable(decode_legacy(word, VNI)):
                hits[VNI] += 1
            if _CP1258_TONE_AFTER_VOWEL.search(word) and _is_syllable(_read_cp1258(word)):
                hits[_CP1258] += 1
    best = max((TCVN3, VNI), key=hits.__getitem__)
    rival = max(count for encoding, count in hits.items() if encoding != best)
    if hits[best] >= _MIN_HITS and hits[best] >= _DOMINANCE * rival:
        return best
    return None


def decode_legacy(text: str, encoding: str) -> str:
    """Turn a Latin-1 (or cp1252) reading of TCVN3 or VNI bytes into Unicode.

    Parameters
    ----------
    text
        The text as GDAL returned it, e.g. ``"Cao B»ng"`` or ``"Cao Baèng"``.
    encoding
        ``"TCVN3"`` or ``"VNI"`` (case-insensitive).

    Returns
    -------
    str
        NFC Unicode, e.g. ``"Vùng đệm"``. A text holding a character that no 8-bit
        decoding produces is already Unicode and is only NFC-normalised.

    Raises
    ------
    ValueError
        If `encoding` is not TCVN3 or VNI.
    """
    encoding = _encoding_name(encoding)
    if _is_8bit(text):
        if encoding == TCVN3:
            text = _TCVN3_MARK_AFTER_LETTER.sub(
                lambda mark: _TCVN3_MARKS[mark.group()], text.translate(_TCVN3_DECODE)
            )
        else:
            text = _VNI_CODE.sub(lambda code: _VNI_DECODE[code.group()], text)
    return unicodedata.normalize("NFC", text)


def encode_legacy(text: str, encoding: str) -> str:
    """Spell Unicode Vietnamese in TCVN3 or VNI, as Latin-1 text (the inverse of decoding).

    Parameters
    ----------
    text
        Unicode text; it is NFC-normalised first.
    encoding
        ``"TCVN3"`` or ``"VNI"`` (case-insensitive).

    Returns
    -------
    str
        One character per legacy byte, as GDAL shows it without a ``.cpg`` file;
        ``.encode("latin-1")`` gives the bytes to write into a ``.dbf``.

    Raises
    ------
    ValueError
        If `encoding` is unknown or `text` has a character the encoding cannot spell.
    """
    encoding = _encoding_name(encoding)
    table = _TCVN3_SPELL if encoding == TCVN3 else _VNI_ENCODE
    codes = []
    for char in unicodedata.normalize("NFC", text):
        if char.isascii():
            codes.append(char)
        elif char in table:
            codes.append(table[char])
        else:
            raise ValueError(f"{char!r} cannot be written in {encoding}")
    return "".join(codes)


def _encoding_name(encoding: str) -> str:
    name = encoding.upper()
    if name not in (TCVN3, VNI):
        raise ValueError(f"unknown legacy encoding {encoding!r}; expected TCVN3 or VNI")
    return name


def _is_8bit(text: str) -> bool:
    """Whether `text` can be a Latin-1 or cp1252 reading of 8-bit bytes."""
    return all(char <= "\xff" or char in _CP1252_C1 for char in text)


def _has_tcvn3_marker(word: str) -> bool:
    return any(char in _TCVN3_MARKERS for char in word.removeprefix("µ")) or bool(
        _TCVN3_CASE_BREAK.search(word)
    )


def _has_vni_marker(word: str) -> bool:
    return any(char in _VNI_MARKERS for char in word) or any(
        word[i : i + 2] in _VNI_MARKERS for i in range(len(word) - 1)
    )


def _read_cp1258(word: str) -> str:
    """Read the bytes behind a Latin-1 `word` as Windows-1258."""
    raw = word.encode("latin-1", "replace")
    return unicodedata.normalize("NFC", raw.decode("cp1258", "replace"))


def _is_syllable(word: str) -> bool:
    """Whether `word` is one Vietnamese syllable of two letters or more, with at most one tone."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    toneless = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
    tones = len(decomposed) - len(unicodedata.normalize("NFD", toneless))
    return tones <= 1 and len(toneless) >= 2 and _SYLLABLE.fullmatch(toneless) is not None
