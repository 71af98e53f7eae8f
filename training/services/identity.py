"""What applicants type about themselves, checked and normalised once for every entry point.

The enrollment form, 我的报名 (lookup, cancel, offers), the JSON API, the rate-limit keys, the admin search
and the staff's counter enrollment all call these functions, so one person's details compare equal
however they were typed. Every refusal is a ``django.core.exceptions.ValidationError`` with a Chinese
message a visitor can act on and a ``code`` for programs.

- ``parse_id_number(text)`` → ``IdDocument``: 18-character numbers built to GB 11643-1999
  (居民身份证, 港澳台居民居住证, 外国人永久居留身份证).
- ``normalize_mobile(text)`` → ``"13900000001"``: mainland mobile numbers (notices go out by SMS).
- ``clean_person_name(text)``, ``clean_free_text(text)``: names and short free text that cannot break
  a page, a log line or the staff's XLSX/CSV exports.
- ``normalize_reference(text)``: an enrollment reference code as typed, or ``None``.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils import timezone
from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from training.models import IdDocumentType

# ---------------------------------------------------------------------------------------------------
# ID numbers
# ---------------------------------------------------------------------------------------------------

#: Province-level codes of GB/T 2260 as python-stdnum's area-code database lists them (11 北京 … 82 澳门).
PROVINCE_CODES = frozenset(
    f"{code:02d}" for _, low, high, _, _ in numdb.get("cn/loc").prefixes for code in range(int(low), int(high) + 1)
)
#: Address codes of 港澳台居民居住证 (《港澳台居民居住证申领发放办法》): 810000 香港, 820000 澳门, 830000 台湾.
PERMIT_PREFIXES = {"81": "香港", "82": "澳门", "83": "台湾"}
#: Provinces that issue 居民身份证 numbers (the permits' 81/82 are in GB/T 2260 too, but are not resident IDs).
RESIDENT_PROVINCES = PROVINCE_CODES - set(PERMIT_PREFIXES)
EARLIEST_BIRTH_YEAR = 1900

# Separators people type inside an ID number (spaces of every width, dashes); × is what Chinese input
# methods often give for X.
_ID_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―_]+")


@dataclass(frozen=True)
class IdDocument:
    """A checked ID number: `number` is 18 ASCII characters, the last one a digit or ``X``."""

    number: str
    document_type: str  # an IdDocumentType value
    birth_date: datetime.date
    gender: str  # "M" / "F", from the parity of the 17th character

    @property
    def document_label(self) -> str:
        return IdDocumentType(self.document_type).label


def _without_format_characters(text: str) -> str:
    """`text` without Unicode format characters (category Cf): the bidi marks a phone's contacts app wraps
    around a copied number (U+202D … U+202C, U+2068 … U+2069), zero-width spaces and joiners, the BOM, the
    word joiner and the soft hyphen. They show as nothing, so a number or code pasted with them looks right
    to the person typing it. Only for values made of ASCII (numbers, codes); names refuse them instead."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def normalize_id_text(text: str) -> str:
    """Full-width digits and letters (NFKC), lowercase x and ×, spaces (also U+3000), dashes and invisible
    format characters (`_without_format_characters`) → ASCII."""
    text = unicodedata.normalize("NFKC", _without_format_characters(text or "")).replace("×", "X")
    return _ID_SEPARATORS.sub("", text).upper()


def parse_id_number(text: str, *, today: datetime.date | None = None) -> IdDocument:
    """Check an 18-character ID number under GB 11643-1999 and say which document it belongs to.

    Accepted: 居民身份证 (a GB/T 2260 province prefix), 港澳台居民居住证 (address code 81/82/83, same
    layout) and the 2023 外国人永久居留身份证 (``9`` + the issuing province + a 3-digit nationality code,
    then the same birth date, sequence and check character). Each needs a real birth date
    (characters 7–14, 1900 … today) and the ISO 7064 MOD 11-2 check character.

    python-stdnum does the checksum and the birth date. Its ``validate`` is NOT used: it also refuses a
    number whose six-digit area code did not exist in the person's birth year, but the area code records
    the office that first issued the number (re-issued after a move, a re-organised county, a card first
    applied for as an adult), not the birthplace. Haining's code 330481 dates from 1989, so stdnum refused
    every Haining-issued number of a person born before 1989 (issue #12: ``330481197805121239``).
    Only the province prefix is checked.

    Raises ValidationError (codes ``id_length``, ``id_format``, ``id_province``, ``id_date``,
    ``id_future``, ``id_checksum``).
    """
    number = normalize_id_text(text)
    if len(number) == 15 and number.isdigit():
        raise ValidationError("15 位的第一代身份证号已停止使用，请填写 18 位身份证号。", code="id_length")
    if len(number) != 18:
        raise ValidationError(
            f"身份证号应为 18 位（最后一位可能是 X），您填写了 {len(number)} 位，请核对。", code="id_length"
        )
    if not (number[:17].isascii() and number[:17].isdigit()) or number[17] not in "0123456789X":
        raise ValidationError("身份证号不正确：前 17 位应为数字，最后一位为数字或 X。", code="id_format")
    if number[0] == "9":
        document_type, province = IdDocumentType.FOREIGN_PERMANENT, number[1:3]
        province_ok = province in RESIDENT_PROVINCES
    elif number[:2] in PERMIT_PREFIXES:
        document_type, province_ok = IdDocumentType.HMT_RESIDENCE, True
    else:
        document_type, province_ok = IdDocumentType.RESIDENT, number[:2] in RESIDENT_PROVINCES
    if not province_ok:
        raise ValidationError("身份证号不正确：前两位不是有效的省份代码，请核对。", code="id_province")
    try:
        birth_date = ric.get_birth_date(number)
    except (StdnumError, ValueError):
        birth_date = None
    if birth_date is None or birth_date.year < EARLIEST_BIRTH_YEAR:
        raise ValidationError("身份证号不正确：第 7–14 位的出生日期不存在，请核对。", code="id_date")
    if birth_date > (today or timezone.localdate()):
        raise ValidationError("身份证号不正确：第 7–14 位的出生日期晚于今天，请核对。", code="id_future")
    if ric.calc_check_digit(number) != number[17]:
        raise ValidationError(
            "身份证号不正确：最后一位校验码不符，请逐位核对（最后一位可能是 X）。", code="id_checksum"
        )
    return IdDocument(number, document_type.value, birth_date, "M" if int(number[16]) % 2 else "F")


# ---------------------------------------------------------------------------------------------------
# Mobile phones
# ---------------------------------------------------------------------------------------------------

_PHONE_PUNCTUATION = re.compile(r"[\s\-‐‑‒–—―.()（）\[\]/]+")
PHONE_INVALID = "请填写正确的 11 位手机号码。"
PHONE_NOT_MOBILE = "请填写手机号码：报名结果和通知通过短信发送，固定电话收不到短信。"
PHONE_NOT_MAINLAND = "请填写中国大陆的手机号码：报名结果和通知通过短信发送，暂不支持境外号码。"


def normalize_mobile(text: str) -> str:
    """A mainland China mobile number as its 11 national digits, however it was typed.

    Takes full-width digits, ``+86``, ``0086``, ``86``, ``(+86)``, spaces (also U+3000), dashes and the
    invisible marks of a copied contact (`_without_format_characters`); validity and the number type come
    from phonenumbers (libphonenumber's CN ranges). Raises ValidationError: ``phone_invalid`` (not a phone number), ``phone_not_mobile`` (a landline: SMS
    needs a mobile), ``phone_not_mainland`` (a number outside the mainland).
    """
    compact = _PHONE_PUNCTUATION.sub("", unicodedata.normalize("NFKC", _without_format_characters(text or "")))
    if not re.fullmatch(r"\+?[0-9]{5,20}", compact):
        raise ValidationError(PHONE_INVALID, code="phone_invalid")
    try:
        number = phonenumbers.parse(compact, "CN")
    except phonenumbers.NumberParseException:
        raise ValidationError(PHONE_INVALID, code="phone_invalid") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(PHONE_INVALID, code="phone_invalid")
    if phonenumbers.region_code_for_number(number) != "CN":
        raise ValidationError(PHONE_NOT_MAINLAND, code="phone_not_mainland")
    if phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE:
        raise ValidationError(PHONE_NOT_MOBILE, code="phone_not_mobile")
    return str(number.national_number)


def mobile_or_none(text: str) -> str | None:
    """``normalize_mobile`` for look-ups, where a number that cannot be a mobile simply matches nothing."""
    try:
        return normalize_mobile(text)
    except ValidationError:
        return None


# ---------------------------------------------------------------------------------------------------
# Names and free text
# ---------------------------------------------------------------------------------------------------

#: Punctuation that real names contain: the middle dot of minority and foreign names (· U+00B7; the other
#: dots in `MIDDLE_DOTS` arrive as it), the ASCII full stop, hyphens and apostrophes.
NAME_PUNCTUATION = frozenset("·.-‐'’")
#: The middle dots people type between the parts of a name (and the full-width full stop that older systems
#: used for it), each stored as U+00B7, the dot of 居民身份证 names (GB 18030), so one name typed with any of
#: them is one name to the staff's search and exports. The ASCII full stop stays (J. Smith).
MIDDLE_DOTS = "•‧・･⸱∙⋅．\ua78f\u318d\u1427"  # the last three are letters to Unicode (ꞏ, a Korean IME's ㆍ, ᐧ)
_ONE_MIDDLE_DOT = str.maketrans(dict.fromkeys(MIDDLE_DOTS, "·"))
#: Combining marks that render as nothing (Unicode Default_Ignorable_Code_Point, category Mn): the
#: combining grapheme joiner and the Khmer inherent vowels. Variation selectors are kept: they choose the
#: glyph of a rare character (葛󠄀 U+845B U+E0100).
_INVISIBLE_MARKS = frozenset("\u034f\u17b4\u17b5")
#: More combining marks in a row than any script's names need (Vietnamese takes two, Tibetan stacks up to
#: four, a Burmese syllable such as မြှို့ five): a longer run is text decoration ("Zalgo") that spills over
#: the lines around it.
MAX_STACKED_MARKS = 5
#: CJK compatibility ideographs (U+F900–U+FAFF, U+2F800–U+2FA1F). NFC would replace each with its unified
#: ideograph, yet several are distinct characters in GB 18030 (U+F92C 郎 is FD9C, U+90CE is C0C9) or stand
#: for another reading; a person's name keeps the one they typed.
_COMPATIBILITY_IDEOGRAPHS = re.compile("([\uf900-\ufaff\U0002f800-\U0002fa1f])")
#: CJK Unified Ideographs Extension J (Unicode 17.0, 2025): letters, though this Python's Unicode database
#: is older and calls them unassigned.
_NEWER_IDEOGRAPHS = range(0x323B0, 0x33480)
# Characters outside the category test that no text field may contain: noncharacters (illegal in XML).
_NONCHARACTER = re.compile("[\ufdd0-\ufdef\ufffe\uffff\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff]")
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Letters that render as nothing (Hangul fillers, braille blank): count as invisible, like spaces.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _describe(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def _category(ch: str) -> str:
    category = unicodedata.category(ch)
    return "Lo" if category == "Cn" and ord(ch) in _NEWER_IDEOGRAPHS else category


def compose(text: str) -> str:
    """Canonical composition (NFC: "Zoe" + U+0308 is "Zoë", U+0387 is U+00B7), except that CJK
    compatibility ideographs stay as typed (`_COMPATIBILITY_IDEOGRAPHS`). NFC can lengthen text (क़ U+0958
    becomes two characters): callers check lengths after it."""
    parts = _COMPATIBILITY_IDEOGRAPHS.split(text)  # odd indexes: the ideographs themselves
    return "".join(part if index % 2 else unicodedata.normalize("NFC", part) for index, part in enumerate(parts))


def normalize_name_text(text: str) -> str:
    """A name as it is stored and searched: `compose` and every middle dot in `MIDDLE_DOTS` as U+00B7.
    No checks (see `clean_person_name`)."""
    return compose(text or "").translate(_ONE_MIDDLE_DOT)


def _check_characters(value: str, label: str) -> str:
    """Refuse controls, bidi and zero-width characters and noncharacters; collapse ordinary whitespace
    (spaces of any width, tabs and line breaks from a paste) to single spaces."""
    for ch in value:
        category = unicodedata.category(ch)
        if ch == "\x00":
            raise ValidationError(f"{label}中含有空字符（NUL），请重新输入。", code="control")
        if ch in _BIDI_CONTROLS:
            raise ValidationError(
                f"{label}中含有改变文字方向的隐藏字符（{_describe(ch)}），请删除后重新输入。", code="bidi"
            )
        if category == "Cc" and ch not in "\t\n\r":
            raise ValidationError(f"{label}中含有控制字符（{_describe(ch)}），请删除后重新输入。", code="control")
        if category in ("Cf", "Cs") or ch in _INVISIBLE_MARKS or _NONCHARACTER.match(ch):
            raise ValidationError(f"{label}中含有不可见字符（{_describe(ch)}），请删除后重新输入。", code="invisible")
    value = " ".join(value.split())
    visible = [ch for ch in value if not ch.isspace() and ch not in _BLANK_LETTERS]
    if value and all(unicodedata.category(ch).startswith("M") for ch in visible):
        raise ValidationError(f"{label}只有空白或不可见字符，请填写实际内容。", code="invisible_only")
    _check_marks(value, label)
    return value


def _check_marks(value: str, label: str) -> None:
    """Refuse a combining mark with no character under it (at the start or after a space) and runs of more
    than `MAX_STACKED_MARKS` marks."""
    run = 0
    for index, ch in enumerate(value):
        if not unicodedata.category(ch).startswith("M"):
            run = 0
            continue
        run += 1
        if index == 0 or value[index - 1] == " ":
            raise ValidationError(
                f"{label}中有单独的附加符号（{_describe(ch)}），请删除后重新输入。", code="stray_mark"
            )
        if run > MAX_STACKED_MARKS:
            raise ValidationError(f"{label}中叠加的附加符号过多，请删除后重新输入。", code="stacked_marks")


def clean_person_name(text: str, label: str = "姓名") -> str:
    """A person's name as stored: `normalize_name_text` (NFC, one middle dot), whitespace collapsed;
    letters of any script (𠮷 and other characters outside the BMP included), combining marks (variation
    selectors of rare characters) and the punctuation in ``NAME_PUNCTUATION``. Raises ValidationError
    (``control``, ``bidi``, ``invisible``, ``invisible_only``, ``stray_mark``, ``stacked_marks``,
    ``name_symbol``, ``name_digit``, ``name_short``)."""
    value = _check_characters(normalize_name_text(text), label)
    for ch in value:
        category = _category(ch)
        if category == "Nd" or ch.isdigit():
            raise ValidationError(f"{label}中不能有数字，请填写真实姓名。", code="name_digit")
        # Enclosing marks (a circle, a keycap around a character) belong to no name's spelling.
        if not (category[0] in "LM" or ch == " " or ch in NAME_PUNCTUATION) or ch in _BLANK_LETTERS or category == "Me":
            raise ValidationError(f"{label}中不能有“{ch}”这样的符号，请填写真实姓名。", code="name_symbol")
    if sum(1 for ch in value if _category(ch)[0] == "L") < 2:
        raise ValidationError(f"请填写完整的{label}。", code="name_short")
    return value


def clean_free_text(text: str, label: str) -> str:
    """Short free text (工作单位 and the like) as stored: whitespace collapsed; controls, bidi and
    zero-width characters refused, as is a value of only invisible characters; composed (`compose`).
    Empty stays empty."""
    return _check_characters(compose(text or ""), label)


# ---------------------------------------------------------------------------------------------------
# Reference codes
# ---------------------------------------------------------------------------------------------------

_REFERENCE = re.compile(r"[0-9A-Z]{4,12}")


def normalize_reference(text: str) -> str | None:
    """An enrollment reference as typed (full-width, lowercase, spaces, copied with invisible marks) →
    ``"ABCD2345"``; None if it
    cannot be one (a look-up then finds nothing without asking the database)."""
    value = re.sub(r"\s+", "", unicodedata.normalize("NFKC", _without_format_characters(text or ""))).upper()
    return value if _REFERENCE.fullmatch(value) else None
