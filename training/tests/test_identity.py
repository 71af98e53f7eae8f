"""training.services.identity: ID numbers (GB 11643), the one mobile normaliser, names and free text."""

import datetime
import os
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from stdnum import numdb
from stdnum.cn import ric

from training.services import identity

TODAY = datetime.date.today()


def area_codes() -> list[str]:
    """Every six-digit area code in python-stdnum's database (current and abolished ones)."""
    codes = []

    def walk(prefix, items):
        for length, low, high, _props, children in items:
            for value in range(int(low), int(high) + 1):
                code = f"{prefix}{value:0{length}d}"
                if len(code) == 6:
                    codes.append(code)
                walk(code, children)

    walk("", numdb.get("cn/loc").prefixes)
    return codes


AREA_CODES = area_codes()


def with_check(body: str) -> str:
    """17 digits → the 18-character number with its ISO 7064 MOD 11-2 check character."""
    return body + ric.calc_check_digit(body + "0")


def expect_refused(text, code, **kwargs):
    with pytest.raises(ValidationError) as info:
        identity.parse_id_number(text, **kwargs)
    assert info.value.code == code, (text, info.value.code, info.value.messages)
    assert all("身份证号" in message for message in info.value.messages)
    return info.value.messages[0]


# --- ID numbers ----------------------------------------------------------------------------------


def test_the_database_is_the_whole_country():
    assert len(AREA_CODES) > 6000
    assert "330481" in AREA_CODES and "110101" in AREA_CODES and "810000" in AREA_CODES


def test_haining_worker_born_1978_is_accepted_though_stdnum_refuses_it():
    number = "330481197805121239"
    assert not ric.is_valid(number)  # stdnum: area code 330481 only exists since 1989
    document = identity.parse_id_number(number, today=TODAY)
    assert document == identity.IdDocument(number, "resident", datetime.date(1978, 5, 12), "M")
    assert document.document_label == "居民身份证"


def test_every_birth_year_of_a_haining_worker_aged_18_to_60():
    refused_by_stdnum = 0
    for year in range(TODAY.year - 60, TODAY.year - 17):
        number = with_check(f"330481{year}0301002")
        refused_by_stdnum += not ric.is_valid(number)
        assert identity.parse_id_number(number, today=TODAY).birth_date.year == year
    assert refused_by_stdnum > 0  # the years the issue found refused are among them


YEARS = range(1930, TODAY.year + 1)


def years_for(index: int) -> range | list[int]:
    """All years with ID_SWEEP=full (6,885 codes × 97 years ≈ 668,000 numbers, about a minute);
    otherwise every 8th year from an offset that rotates with the code, so each code is tried in 12 or
    13 years spread over 1930 … today and each year with about 860 codes of every province."""
    if os.environ.get("ID_SWEEP") == "full":
        return YEARS
    return YEARS[index % 8 :: 8]


def test_every_area_code_and_every_birth_year_from_1930_is_accepted():
    """Every area code in the database, every birth year, varying month, day, sequence and sex."""
    accepted = 0
    years_seen = set()
    for index, code in enumerate(AREA_CODES):
        for year in years_for(index):
            years_seen.add(year)
            month = 1 + (index + year) % 12
            day = 1 + (index * 7 + year) % 28
            sequence = (index * 31 + year) % 1000
            born = min(datetime.date(year, month, day), TODAY)
            document = identity.parse_id_number(with_check(f"{code}{born:%Y%m%d}{sequence:03d}"), today=TODAY)
            assert document.birth_date == born
            accepted += 1
    assert years_seen == set(YEARS) and accepted >= len(AREA_CODES) * 12


@pytest.mark.parametrize("province", ["33"])
def test_every_zhejiang_area_code_in_every_birth_year(province):
    """The issue's case in full: every 浙江 code (Haining 330481 among them) × every year since 1930."""
    codes = [code for code in AREA_CODES if code.startswith(province)]
    assert len(codes) > 200
    for code in codes:
        for year in YEARS:
            born = min(datetime.date(year, 5, 12), TODAY)
            assert identity.parse_id_number(with_check(f"{code}{born:%Y%m%d}123"), today=TODAY).birth_date == born


birth_dates = st.dates(min_value=datetime.date(1930, 1, 1), max_value=TODAY)
sequences = st.integers(min_value=0, max_value=999)


@st.composite
def valid_numbers(draw):
    code = draw(st.sampled_from(AREA_CODES))
    return with_check(f"{code}{draw(birth_dates):%Y%m%d}{draw(sequences):03d}")


@settings(max_examples=300, deadline=None)
@given(number=valid_numbers())
def test_generated_numbers_are_accepted_with_birth_date_and_sex(number):
    document = identity.parse_id_number(number, today=TODAY)
    assert document.number == number
    assert document.birth_date.strftime("%Y%m%d") == number[6:14]
    assert document.gender == ("M" if int(number[16]) % 2 else "F")
    expected = "hmt_residence" if number[:2] in ("81", "82") else "resident"
    assert document.document_type == expected


@settings(max_examples=300, deadline=None)
@given(number=valid_numbers(), wrong=st.sampled_from("0123456789X"))
def test_a_corrupted_check_character_is_refused(number, wrong):
    assume(wrong != number[17])
    expect_refused(number[:17] + wrong, "id_checksum", today=TODAY)


@settings(max_examples=300, deadline=None)
@given(number=valid_numbers(), position=st.integers(min_value=0, max_value=16), digit=st.integers(0, 9))
def test_any_single_wrong_digit_is_refused(number, position, digit):
    """GB 11643's check character catches every single-digit error, wherever the change lands."""
    assume(str(digit) != number[position])
    corrupted = number[:position] + str(digit) + number[position + 1 : 17] + number[17]
    with pytest.raises(ValidationError):
        identity.parse_id_number(corrupted, today=TODAY)


impossible_dates = st.one_of(
    st.tuples(st.integers(1930, 2099), st.integers(0, 99).filter(lambda m: not 1 <= m <= 12), st.integers(1, 28)),
    st.tuples(st.integers(1930, 2099), st.integers(1, 12), st.integers(32, 99) | st.just(0)),
    st.tuples(st.integers(1930, 2099), st.just(2), st.sampled_from([30, 31])),
    st.tuples(st.integers(1930, 2099).filter(lambda y: y % 4), st.just(2), st.just(29)),
    st.tuples(st.integers(1930, 2099), st.sampled_from([4, 6, 9, 11]), st.just(31)),
    st.tuples(st.integers(0, 1899), st.integers(1, 12), st.integers(1, 28)),
)


@settings(max_examples=300, deadline=None)
@given(code=st.sampled_from(AREA_CODES), date=impossible_dates, sequence=sequences)
@example(code="330481", date=(1978, 2, 29), sequence=123)
def test_an_impossible_birth_date_is_refused(code, date, sequence):
    year, month, day = date
    message = expect_refused(with_check(f"{code}{year:04d}{month:02d}{day:02d}{sequence:03d}"), "id_date", today=TODAY)
    assert "出生日期" in message


@settings(max_examples=100, deadline=None)
@given(code=st.sampled_from(AREA_CODES), days=st.integers(1, 365 * 50), sequence=sequences)
def test_a_birth_date_after_today_is_refused(code, days, sequence):
    born = TODAY + datetime.timedelta(days=days)
    expect_refused(with_check(f"{code}{born:%Y%m%d}{sequence:03d}"), "id_future", today=TODAY)


NOT_PROVINCES = sorted(
    f"{p:02d}" for p in range(90) if f"{p:02d}" not in identity.PROVINCE_CODES | set(identity.PERMIT_PREFIXES)
)


@settings(max_examples=300, deadline=None)
@given(number=valid_numbers(), province=st.sampled_from(NOT_PROVINCES))
def test_a_number_with_a_province_that_does_not_exist_is_refused(number, province):
    expect_refused(with_check(province + number[2:17]), "id_province", today=TODAY)


def test_no_province_check_is_missed():
    assert set(NOT_PROVINCES) >= {"00", "10", "19", "20", "24", "30", "39", "40", "47", "55", "60", "66", "70", "80"}
    assert "71" in identity.PROVINCE_CODES  # GB/T 2260 lists 台湾省; stdnum's database too


@pytest.mark.parametrize(
    ("prefix", "place"), [("810000", "香港"), ("820000", "澳门"), ("830000", "台湾")], ids=["HK", "MO", "TW"]
)
def test_residence_permits_of_hong_kong_macao_and_taiwan_residents(prefix, place):
    number = with_check(f"{prefix}19900101002")
    document = identity.parse_id_number(number, today=TODAY)
    assert document.document_type == "hmt_residence" and document.document_label == "港澳台居民居住证"
    assert document.gender == "F" and identity.PERMIT_PREFIXES[prefix[:2]] == place
    expect_refused(number[:17] + ("0" if number[17] != "0" else "1"), "id_checksum", today=TODAY)


@settings(max_examples=200, deadline=None)
@given(
    province=st.sampled_from(sorted(identity.RESIDENT_PROVINCES)),
    nationality=st.integers(4, 894),
    born=birth_dates,
    sequence=sequences,
)
def test_foreigners_permanent_residence_id_card(province, nationality, born, sequence):
    """The 2023 card: 9, the issuing province, an ISO 3166 nationality code, birth date, sequence, check."""
    number = with_check(f"9{province}{nationality:03d}{born:%Y%m%d}{sequence:03d}")
    document = identity.parse_id_number(number, today=TODAY)
    assert document.document_type == "foreign_permanent" and document.birth_date == born
    assert document.document_label == "外国人永久居留身份证"


def test_foreigners_card_with_an_unknown_issuing_province_is_refused():
    expect_refused(with_check("900840198001010011"[:17]), "id_province", today=TODAY)
    expect_refused(with_check("981840198001010011"[:17]), "id_province", today=TODAY)  # 81 is not an office


@pytest.mark.parametrize(
    "typed",
    [
        "33048119780512101x",
        "３３０４８１１９７８０５１２１０１Ｘ",
        "３３０４８１１９７８０５１２１０１ｘ",
        "330481 19780512 101X",
        "330481\u300019780512\u3000101X",
        "330481-1978-0512-101X",
        " 33048119780512101×\n",
    ],
)
def test_how_people_type_an_id_number(typed):
    number = with_check("33048119780512101")
    assert number.endswith("X")
    assert identity.parse_id_number(typed, today=TODAY).number == number


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "id_length"),
        ("330481780512123", "id_length"),  # the first-generation 15-digit number
        ("3304811978051212", "id_length"),
        ("33048119780512123XX", "id_length"),
        ("33048119780512123A", "id_format"),
        ("3304811978O512123X", "id_format"),
        ("٣٣٠٤٨١١٩٧٨٠٥١٢١٢٣٩", "id_format"),  # Arabic-Indic digits are digits to Python, not to GB 11643
        ("33048119780512\x00239", "id_format"),
    ],
)
def test_malformed_numbers_are_refused_with_a_reason(typed, code):
    message = expect_refused(typed, code, today=TODAY)
    assert message.endswith("。")


def test_stdnum_is_still_used_for_what_it_does_right():
    number = with_check("33048119780512123")
    assert identity.parse_id_number(number).birth_date == ric.get_birth_date(number)


# --- phones ---------------------------------------------------------------------------------------

PHONE_FORMS = [
    "13900000001",
    "139 0000 0001",
    "139-0000-0001",
    "１３９００００００01",
    "１３９　００００　０００１",
    "+86 139 0000 0001",
    "+8613900000001",
    "0086 13900000001",
    "008613900000001",
    "86 13900000001",
    "8613900000001",
    "(+86) 139-0000-0001",
    "（+86）13900000001",
    "＋８６ １３９ ００００ ０００１",
    "\u3000139 0000 0001\u3000",
    "139–0000–0001",
]


@pytest.mark.parametrize("typed", PHONE_FORMS)
def test_one_mobile_however_it_is_typed(typed):
    assert identity.normalize_mobile(typed) == "13900000001"
    assert identity.mobile_or_none(typed) == "13900000001"


@pytest.mark.parametrize(
    ("typed", "code", "words"),
    [
        ("0573-87000000", "phone_not_mobile", "短信"),
        ("057387000000", "phone_not_mobile", "固定电话"),
        ("+852 9123 4567", "phone_not_mainland", "大陆"),
        ("+1 650 253 0000", "phone_not_mainland", "大陆"),
        ("12345", "phone_invalid", "11 位"),
        ("139000000012", "phone_invalid", "11 位"),
        ("+8613900000001x", "phone_invalid", "11 位"),
        ("1390000000１a", "phone_invalid", "11 位"),
        ("139 0000 0001 转 8", "phone_invalid", "11 位"),
        ("13900000001\x00", "phone_invalid", "11 位"),
        ("", "phone_invalid", "11 位"),
    ],
)
def test_what_is_not_a_mainland_mobile_is_refused_in_chinese(typed, code, words):
    with pytest.raises(ValidationError) as info:
        identity.normalize_mobile(typed)
    assert info.value.code == code and words in info.value.messages[0]
    assert identity.mobile_or_none(typed) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_text_either_normalises_to_eleven_digits_or_is_refused(text):
    try:
        phone = identity.normalize_mobile(text)
    except ValidationError as error:
        assert error.code in ("phone_invalid", "phone_not_mobile", "phone_not_mainland")
    else:
        assert len(phone) == 11 and phone.isascii() and phone.isdigit() and phone[0] == "1"
        assert identity.normalize_mobile(phone) == phone


# --- names and free text --------------------------------------------------------------------------

REAL_NAMES = [
    "张小明",
    "阿卜杜拉·艾则孜",
    "买买提·吐尔逊",
    "吉𠮷",  # 𠮷 (U+20BB7) is outside the BMP
    "𡈼𠮷祥",
    "葛\U000e0100亮",  # an ideographic variation sequence
    "Anna-Lena O’Brien",
    "欧阳 娜娜",
    "ZHANG Xiaoming",
    "Zoë Ångström",
    "탁재훈",
    "Jean-Paul Sartre Jr.",
]


@pytest.mark.parametrize("name", REAL_NAMES)
def test_real_names_are_kept_as_typed(name):
    assert identity.clean_person_name(name, "学员姓名") == name
    assert identity.clean_free_text(name, "工作单位") == name


# Every way a phone, a PC input method or a Japanese keyboard types the dot between the parts of a name.
DOT_SPELLINGS = ["·", "•", "‧", "・", "･", "⸱", "∙", "⋅", "．", "\u0387", "\ua78f", "\u318d", "\u1427"]


@pytest.mark.parametrize("dot", DOT_SPELLINGS)
def test_one_name_typed_with_any_middle_dot_is_stored_with_the_id_cards_dot(dot):
    assert identity.clean_person_name(f"迪丽热巴{dot}迪力木拉提", "学员姓名") == "迪丽热巴·迪力木拉提"
    assert identity.clean_person_name(f"山田{dot}太郎", "学员姓名") == "山田·太郎"


def test_names_are_stored_composed_so_one_spelling_is_one_name():
    decomposed = "Zoe\u0308 A\u030angstro\u0308m"
    assert identity.clean_person_name(decomposed, "学员姓名") == "Zoë Ångström"
    assert identity.clean_free_text("Cafe\u0301 工会", "工作单位") == "Café 工会"


@pytest.mark.parametrize(
    "name, code",
    [
        ("张\u034f三", "invisible"),  # combining grapheme joiner
        ("张\u17b4三", "invisible"),  # Khmer inherent vowels: default-ignorable marks
        ("张\u17b5三", "invisible"),
        ("\u0301张三", "stray_mark"),  # a mark with nothing under it
        ("张 \u0301三", "stray_mark"),
        ("张" + "\u0336" * 20 + "三", "stacked_marks"),  # "Zalgo" strike-through
        ("张" + "\u0301" * 6 + "三", "stacked_marks"),
        ("张\u20dd三", "name_symbol"),  # an enclosing circle
        ("张\u20e3三", "name_symbol"),  # a keycap
    ],
)
def test_marks_that_show_nothing_or_only_decorate_are_refused(name, code):
    with pytest.raises(ValidationError) as caught:
        identity.clean_person_name(name, "学员姓名")
    assert caught.value.code == code
    assert "学员姓名" in caught.value.messages[0]


def test_marks_that_real_names_need_are_kept():
    assert identity.clean_person_name("Nguye\u0302\u0303n Văn", "姓名") == "Nguyễn Văn"  # two marks, composed
    assert identity.clean_person_name("葛\U000e0100亮", "姓名") == "葛\U000e0100亮"  # ideographic variation
    tibetan = "\u0f56\u0f66\u0f9f\u0f53 \u0f60\u0f5b\u0fb2\u0f72\u0f53"  # བསྟན འཛྲིན: letters stacked below
    assert identity.clean_person_name(tibetan, "姓名") == tibetan
    burmese = "\u1019\u103c\u103e\u102d\u102f\u1037"  # မြှို့: five marks on one letter
    assert identity.clean_person_name(f"{burmese} {burmese}", "姓名") == f"{burmese} {burmese}"


@pytest.mark.parametrize("ideograph", ["\uf92c", "\ufa19", "\uf914", "\U0002f800"])
def test_compatibility_ideographs_stay_as_typed(ideograph):
    """NFC would replace them with their unified ideographs, which are other characters in GB 18030
    (U+F92C 郎 is FD9C, U+90CE 郎 is C0C9)."""
    assert identity.clean_person_name(f"张{ideograph}", "学员姓名") == f"张{ideograph}"
    assert identity.normalize_name_text(f"Zoe\u0308·张{ideograph}・") == f"Zoë·张{ideograph}·"


def test_characters_newer_than_pythons_unicode_database_are_letters():
    """CJK Extension J (Unicode 17.0) is unassigned to Python 3.13's database (Unicode 15.1)."""
    assert identity.clean_person_name("张\U000323b0", "学员姓名") == "张\U000323b0"
    with pytest.raises(ValidationError):
        identity.clean_person_name("张\U00033480", "学员姓名")  # past Extension J: still unassigned


# What phones' contacts apps and chat apps wrap around a copied number: bidi overrides, isolates, marks,
# zero-width spaces and joiners, the BOM, the word joiner, the soft hyphen.
INVISIBLE_WRAPPINGS = [
    ("\u202d", "\u202c"),
    ("\u2068", "\u2069"),
    ("\u202a", "\u202c"),
    ("\u200e", ""),
    ("\u200b", "\u200b"),
    ("\ufeff", ""),
    ("\u2060", "\u2060"),
    ("", "\u200d"),
    ("\u00ad", ""),
]


@pytest.mark.parametrize("before, after", INVISIBLE_WRAPPINGS)
def test_numbers_pasted_with_invisible_marks_are_the_same_numbers(before, after):
    assert identity.normalize_mobile(f"{before}+86 139 0000 0001{after}") == "13900000001"
    assert identity.normalize_mobile(f"139{before}0000{after}0001") == "13900000001"
    id_number = identity.parse_id_number("11010519491231002X").number
    assert identity.parse_id_number(f"{before}110105 19491231 002x{after}").number == id_number
    assert identity.normalize_reference(f"{before}abcd2345{after}") == "ABCD2345"


def test_whitespace_in_a_name_is_collapsed():
    assert identity.clean_person_name("  欧阳\u3000\u3000娜娜 ", "姓名") == "欧阳 娜娜"


@pytest.mark.parametrize(
    ("value", "code", "words"),
    [
        ("张\x1b[31m三", "control", "控制字符"),
        ("张\x00三", "control", "空字符"),
        ("张三\x7f", "control", "控制字符"),
        ("张\x85三", "control", "控制字符"),
        ("张\x1c三", "control", "控制字符"),
        ("\u202e三张", "bidi", "文字方向"),
        ("张\u2066三\u2069", "bidi", "文字方向"),
        ("张三\u200f", "bidi", "文字方向"),
        ("\u200b\u200b\u200b", "invisible", "不可见"),
        ("张\u200d三", "invisible", "不可见"),
        ("\ufeff张三", "invisible", "不可见"),
        ("张三\U000e0041", "invisible", "不可见"),
        ("张\ufffe三", "invisible", "不可见"),
        ("\u3164\u3164", "invisible_only", "空白"),
        ("\u0301\u0301", "invisible_only", "空白"),
    ],
)
def test_hidden_characters_are_refused_in_names_and_free_text(value, code, words):
    for check in (identity.clean_person_name, identity.clean_free_text):
        with pytest.raises(ValidationError) as info:
            check(value, "学员姓名")
        assert info.value.code == code, (value, info.value.code)
        assert words in info.value.messages[0] and info.value.messages[0].startswith("学员姓名")


@pytest.mark.parametrize(
    ("value", "code"),
    [("张三3", "name_digit"), ("张三３", "name_digit"), ("=HYPERLINK", "name_symbol"), ("张<b>", "name_symbol")],
)
def test_names_are_names(value, code):
    with pytest.raises(ValidationError) as info:
        identity.clean_person_name(value, "姓名")
    assert info.value.code == code
    assert identity.clean_free_text("海宁市某某电子有限公司（一分厂）#3", "工作单位").endswith("#3")


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=30))
def test_whatever_a_name_check_accepts_is_printable_text(text):
    try:
        value = identity.clean_person_name(text, "姓名")
    except ValidationError:
        return
    assert value == value.strip() and "  " not in value
    assert not [ch for ch in value if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Nd")]
    extension_j = range(0x323B0, 0x33480)  # letters newer than Python's Unicode tables (category Cn there)
    assert not [ch for ch in value if unicodedata.category(ch) == "Cn" and ord(ch) not in extension_j]
    assert sum(unicodedata.category(ch).startswith("L") or ord(ch) in extension_j for ch in value) >= 2


# --- references -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("abcd2345", "ABCD2345"), (" ＡＢＣＤ ２３４５ ", "ABCD2345"), ("AB\x00CD", None), ("9" * 40, None), ("", None)],
)
def test_references_as_typed(typed, expected):
    assert identity.normalize_reference(typed) == expected
