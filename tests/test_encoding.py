"""Legacy Vietnamese encodings (TCVN3, VNI): tables, round trips and layer detection.

Expected spellings are cross-checked against glibc's TCVN5712-1 converter, the VBKey and
xvnkb converter tables and the examples of the vietnamese-conversion package.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import unicodedata

import pytest

from zoning.inputs.encoding import decode_legacy, detect_legacy_encoding, encode_legacy

ENCODINGS = ["TCVN3", "VNI"]
# no tone, grave, hook above, tilde, acute, dot below
TONES = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]


def _letters() -> list[str]:
    """The 134 Vietnamese letters outside ASCII, built from base letters and tone marks."""
    lower = [
        unicodedata.normalize("NFC", base + tone)
        for base in ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"]
        for tone in TONES
    ] + ["đ"]
    lower = [letter for letter in lower if not letter.isascii()]
    return lower + [letter.upper() for letter in lower]


LETTERS = _letters()

COMMUNES = [
    "Thục Phán", "Nùng Trí Cao", "Tân Giang", "Bảo Lâm", "Lý Bôn", "Quảng Lâm", "Yên Thổ",
    "Đàm Thuỷ", "Độc Lập", "Hoà An", "Nguyễn Huệ", "Đông Khê",
]
UNICODE_NAMES = COMMUNES + [
    "Phường Thục Phán", "Hồ Thang Hen", "Xã Trường Hà", "Thị trấn Trà Lĩnh", "Sông Bằng Giang",
    "Khu bảo tồn thiên nhiên Phia Oắc - Phia Đén", "HOÀ AN", "XÃ TÂN GIANG", "Khánh Hoà",
]
WESTERN = [
    "Café", "Zürich", "São Paulo", "Málaga", "Genève", "Köln", "Québec", "Nîmes", "Ångström",
    "Bjørn", "naïve", "Noël", "Raphaël", "où est-il", "goût", "España", "Señor", "Mañana",
    "Düsseldorf", "München", "Malmö", "Reykjavík", "Þingvellir", "Ærø", "Crème brûlée",
    "déjà vu", "façade", "résumé", "Aérospatiale", "Saúde", "Raúl", "Jalapeño", "Ça va",
    "Hôtel de Ville", "Côte d'Ivoire", "Château", "Forêt", "Île-de-France", "Straße", "Öl",
    "Citroën", "Tromsø", "25°C", "PM2.5 < 50 µg/m³", "µm", "« Café »", "© 2020", "½ ha",
    "±5 %", "§ 3", "€100", "3×4", "Nº 5",
]


def _to_cp1258_latin1(text: str) -> str:
    """Windows-1258 bytes of `text` (precomposed if possible, else base + tone), as Latin-1."""
    out = b""
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", char)
            tone = "".join(c for c in decomposed if c in TONES[1:])
            base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in tone))
            out += base.encode("cp1258") + tone.encode("cp1258")
    return out.decode("latin-1")


# ---- tables -------------------------------------------------------------------------


def test_letter_set_is_complete():
    assert len(LETTERS) == len(set(LETTERS)) == 134


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("letter", LETTERS)
def test_every_letter_round_trips(letter, encoding):
    code = encode_legacy(letter, encoding)
    assert all(ord(char) <= 0xFF for char in code)
    assert decode_legacy(code, encoding) == letter


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_codes_are_distinct(encoding):
    codes = [encode_legacy(letter, encoding) for letter in LETTERS]
    assert len(set(codes)) == len(codes)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_random_text_round_trips(encoding):
    rng = random.Random(1993)
    alphabet = LETTERS + list("abcdeghiklmnopqrstuvxyABCDEGHIKLMNOPQRSTUVXY 0123456789,.-()")
    for _ in range(300):
        text = "".join(rng.choices(alphabet, k=rng.randint(1, 30)))
        assert decode_legacy(encode_legacy(text, encoding), encoding) == text


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_round_trip_normalises_to_nfc(encoding):
    decomposed = unicodedata.normalize("NFD", "Phường Thục Phán, ĐỘC LẬP")
    assert decode_legacy(encode_legacy(decomposed, encoding), encoding) == unicodedata.normalize(
        "NFC", decomposed
    )


@pytest.mark.parametrize(
    ("legacy", "encoding", "unicode"),
    [
        # examples of the brief
        ("Cao B»ng", "TCVN3", "Cao Bằng"),
        ("Hµ Néi", "TCVN3", "Hà Nội"),
        ("ViÖt Nam", "TCVN3", "Việt Nam"),
        ("Vieät Nam", "VNI", "Việt Nam"),
        ("Haø Noäi", "VNI", "Hà Nội"),
        ("Cao Baèng", "VNI", "Cao Bằng"),
        # TCVN3, per glibc TCVN5712-1 and the VBKey TCVN3 table
        ("Thôc Ph¸n", "TCVN3", "Thục Phán"),
        ("§«ng Khª", "TCVN3", "Đông Khê"),
        ("NguyÔn HuÖ", "TCVN3", "Nguyễn Huệ"),
        ("§µm Thuû", "TCVN3", "Đàm Thuỷ"),
        ("§éc LËp", "TCVN3", "Độc Lập"),
        ("Qu¶ng L©m", "TCVN3", "Quảng Lâm"),
        ("Yªn Thæ", "TCVN3", "Yên Thổ"),
        ("Tr\xadêng", "TCVN3", "Trường"),  # ư is 0xAD, the soft hyphen in Latin-1
        ("¡ ¢ £ ¤ ¥ ¦ §", "TCVN3", "Ă Â Ê Ô Ơ Ư Đ"),
        ("Xin chµo c¸c b¹n", "TCVN3", "Xin chào các bạn"),
        # VNI, per the xvnkb and VBKey VNI tables and vietnamese-conversion's README
        ("Xin chaøo caùc baïn", "VNI", "Xin chào các bạn"),
        ("Thuïc Phaùn", "VNI", "Thục Phán"),
        ("Ñoâng Kheâ", "VNI", "Đông Khê"),
        ("Nguyeãn Hueä", "VNI", "Nguyễn Huệ"),
        ("Ñaøm Thuyû", "VNI", "Đàm Thuỷ"),
        ("Ñoäc Laäp", "VNI", "Độc Lập"),
        ("Nuøng Trí Cao", "VNI", "Nùng Trí Cao"),
        ("Lyù Boân", "VNI", "Lý Bôn"),
        ("Tröôøng", "VNI", "Trường"),
        ("Vónh Long", "VNI", "Vĩnh Long"),
        ("HAØ NOÄI", "VNI", "HÀ NỘI"),
        ("ÑÖÔØNG ÑAÉK LAÉK", "VNI", "ĐƯỜNG ĐẮK LẮK"),
    ],
)
def test_known_spellings(legacy, encoding, unicode):
    assert decode_legacy(legacy, encoding) == unicode
    assert encode_legacy(unicode, encoding) == legacy


def test_tcvn3_uppercase_font_text_decodes_to_lowercase():
    # VN3 has no uppercase toned letters: text typed in .VnTimeH uses the lowercase codes.
    assert decode_legacy("Hµ NéI", "TCVN3") == "Hà NộI"


def test_tcvn3_vn1_uppercase_read_as_cp1252():
    # Ộ and Ậ sit at 0x97 and 0x86 (VN1); cp1252 shows them as "—" and "†".
    shown = encode_legacy("ĐỘC LẬP", "TCVN3").encode("latin-1").decode("cp1252")
    assert shown == "§—C L†P"
    assert decode_legacy(shown, "TCVN3") == "ĐỘC LẬP"


def test_tcvn3_tone_marks_combine_only_after_letters():
    assert decode_legacy("Ha\xb0", "TCVN3") == "Hà"  # VN2 combining grave
    assert decode_legacy("25°C", "TCVN3") == "25°C"


@pytest.mark.skipif(shutil.which("iconv") is None, reason="needs iconv")
def test_tcvn3_table_matches_glibc():
    command = ["iconv", "-f", "UTF-8", "-t", "TCVN5712-1"]
    if subprocess.run(command, input=b"a", capture_output=True, check=False).returncode:
        pytest.skip("iconv has no TCVN5712-1")
    for letter in LETTERS:
        glibc = subprocess.run(command, input=letter.encode(), capture_output=True, check=False)
        assert encode_legacy(letter, "TCVN3").encode("latin-1") == glibc.stdout, letter


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_unicode_text_is_left_alone(encoding):
    for name in ["Phường Thục Phán", "Hồ Thang Hen", "Nguyễn Huệ"]:
        assert decode_legacy(name, encoding) == name


def test_errors():
    with pytest.raises(ValueError, match="cannot be written in TCVN3"):
        encode_legacy("Zürich", "TCVN3")
    with pytest.raises(ValueError, match="cannot be written in VNI"):
        encode_legacy("Bjørn", "VNI")
    with pytest.raises(ValueError, match="unknown legacy encoding"):
        decode_legacy("Hà Nội", "VISCII")
    assert decode_legacy("Haø Noäi", "vni") == "Hà Nội"


# ---- detection ----------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_detects_commune_names(encoding):
    legacy = [encode_legacy(name, encoding) for name in COMMUNES]
    assert detect_legacy_encoding(legacy) == encoding
    assert [decode_legacy(text, encoding) for text in legacy] == COMMUNES


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_detects_names_in_a_layer_with_other_columns(encoding):
    texts = []
    for i, name in enumerate(UNICODE_NAMES):
        texts += [encode_legacy(name, encoding), f"{i:05d}", None, float("nan"), "Rung phong ho"]
    assert detect_legacy_encoding(texts) == encoding


@pytest.mark.parametrize(
    "texts",
    [
        [],
        [None, float("nan")],
        UNICODE_NAMES,
        [unicodedata.normalize("NFD", name) for name in UNICODE_NAMES],
        ["Ho Thang Hen", "Zone A", "Khu 1", "Nung Tri Cao", "Bao Lam"],
        WESTERN,
        WESTERN * 10,
        UNICODE_NAMES + WESTERN,
    ],
    ids=["empty", "missing", "unicode", "unicode-nfd", "ascii", "western", "western-x10", "mixed"],
)
def test_does_not_flag_other_text(texts):
    assert detect_legacy_encoding(texts) is None


def test_does_not_flag_windows_1258_read_as_latin1():
    texts = [_to_cp1258_latin1(name) for name in UNICODE_NAMES]
    assert texts[0] == "Thuòc Phán"
    assert detect_legacy_encoding(texts) is None


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_detects_a_few_legacy_names_among_unicode_ones(encoding):
    few = [encode_legacy(name, encoding) for name in ["Đàm Thuỷ", "Độc Lập", "Quảng Lâm"]]
    texts = UNICODE_NAMES + WESTERN + ["Ho Thang Hen"] * 20
    assert detect_legacy_encoding(texts[:20] + few + texts[20:]) == encoding


def test_threshold_needs_two_words():
    assert detect_legacy_encoding(["Cao B»ng"]) is None  # "B»ng" is one hit
    assert detect_legacy_encoding(["Cao B»ng", "Hµ Néi"]) == "TCVN3"
    assert detect_legacy_encoding(["Cao Baèng"]) is None
    assert detect_legacy_encoding(["Cao Baèng", "Haø Noäi"]) == "VNI"


def test_balanced_mixture_is_not_decided():
    texts = [encode_legacy(name, "TCVN3") for name in COMMUNES[:6]]
    texts += [encode_legacy(name, "VNI") for name in COMMUNES[:6]]
    assert detect_legacy_encoding(texts) is None
