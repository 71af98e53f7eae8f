"""Enrollment exports for the palace's office: XLSX (the main format) and CSV, streamed at a year's volume.

What staff get, whichever format:
- every coded value as its Chinese label (状态 已录取, 性别 女, 工会会员 是/否, 来源 现场);
- times in Beijing time (settings.TIME_ZONE, Asia/Shanghai), written as local wall-clock times;
- 身份证号 and phone numbers as text: XLSX string cells with the text number format "@"; in CSV a leading
  tab, which Excel takes as "this is text" (without it 18 digits become 3.30481E+17). Readers by program
  should `strip()` those two columns;
- cells that a spreadsheet would run as a formula (leading = + - @, tab, CR; OWASP "CSV injection")
  neutralised: CSV prefixes a ' ; XLSX keeps them as plain text cells marked quotePrefix;
- characters that XLSX (XML 1.0) cannot hold, i.e. C0 controls except tab/LF/CR, U+FFFE/U+FFFF and lone
  surrogates, are removed, so any name the site accepted exports;
- the Chinese file name in an RFC 6266 `filename*` (UTF-8) with an ASCII `filename` fallback;
- CSV in UTF-8 with a byte order mark, so Excel on Chinese Windows does not read it as GBK.

Without `training.view_personal_data` names, phones and ID numbers are masked by training.services.privacy
(the rules the admin list, inspect page and API use), the birth date becomes the birth year, and the e-mail
column is left out.

Speed and memory: rows are read with one `values_list` query in chunks (no model instances, no query per
row) and written as they arrive. CSV is a generator behind StreamingHttpResponse; XLSX is written by
openpyxl in write-only mode (each sheet goes to a temporary file as it is written) into a temporary file
that is then streamed. `bench/export_bench.py` measures 20,000 rows.
"""

from __future__ import annotations

import csv
import datetime
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case, IntegerField, Value, When
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from training.models import Enrollment, EnrollmentStatus
from training.services import privacy

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"

#: A workbook gets one sheet per course when the export holds between two and this many courses
#: (a term's programme); a whole year's export (hundreds of courses) stays one sheet.
MAX_COURSE_SHEETS = 150

#: Rows fetched per database round trip.
CHUNK_SIZE = 2000

# XML 1.0 cannot carry these (openpyxl raises IllegalCharacterError for the C0 part).
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters Excel refuses in sheet names.
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

STATUS_ORDER = [
    EnrollmentStatus.CONFIRMED,
    EnrollmentStatus.OFFERED,
    EnrollmentStatus.WAITLISTED,
    EnrollmentStatus.SUBMITTED,
    EnrollmentStatus.REJECTED,
    EnrollmentStatus.CANCELLED,
]


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class ExportColumn:
    """One column: `field` read with values_list, `heading` shown, `kind` decides how the value is written.

    kinds: "text", "code" (digits that must stay text: ID and phone numbers), "int", "date", "datetime",
    "label" (a coded value shown by its Chinese label), "bool" (是/否).
    """

    field: str
    heading: str
    kind: str = "text"
    width: int = 12
    personal: bool = False  # masked (or left out) without training.view_personal_data


def _choices(field_name: str) -> dict[str, str]:
    return {str(key): str(label) for key, label in Enrollment._meta.get_field(field_name).choices}


COLUMNS = (
    ExportColumn("reference", "报名编号", width=11),
    ExportColumn("course__title", "课程", width=28),
    ExportColumn("course__term__name", "学期", width=14),
    ExportColumn("status", "状态", "label", width=14),
    ExportColumn("waitlist_position", "候补序号", "int", width=9),
    ExportColumn("participant_name", "学员姓名", width=10, personal=True),
    ExportColumn("gender", "性别", "label", width=6),
    ExportColumn("birth_date", "出生日期", "date", width=12),
    ExportColumn("document_type", "证件类型", "label", width=12),
    ExportColumn("id_number", "证件号码", "code", width=21, personal=True),
    ExportColumn("applicant_name", "报名人", width=10, personal=True),
    ExportColumn("phone", "手机号码", "code", width=14, personal=True),
    ExportColumn("email", "电子邮箱", width=22, personal=True),
    ExportColumn("employer", "工作单位", width=24),
    ExportColumn("union_member", "工会会员", "bool", width=9),
    ExportColumn("source", "报名方式", "label", width=9),
    ExportColumn("created_at", "提交时间（北京时间）", "datetime", width=20),
    ExportColumn("paid_at", "缴费时间（北京时间）", "datetime", width=20),
    ExportColumn("cancelled_at", "取消时间（北京时间）", "datetime", width=20),
    ExportColumn("cancelled_by", "取消方", "label", width=10),
)

#: Personal columns that have no masked form: left out of a masked export.
_OMITTED_WHEN_MASKED = {"email"}
#: The masked export has the birth year only (training.services.privacy): with the full date, the masked ID
#: number could be rebuilt.
_BIRTH_YEAR = ExportColumn("birth_date", "出生年份", "text", width=9, personal=True)


def columns_for(personal: bool) -> list[ExportColumn]:
    if personal:
        return list(COLUMNS)
    return [_BIRTH_YEAR if c.field == "birth_date" else c for c in COLUMNS if c.field not in _OMITTED_WHEN_MASKED]


def clean_text(value: str) -> str:
    """Remove what an XLSX cell (XML 1.0) cannot hold; everything else, Chinese or not, is kept."""
    return _ILLEGAL_XML.sub("", value)


def is_formula_like(value: str) -> bool:
    return value.startswith(_FORMULA_START)


def neutralise_csv(value: str) -> str:
    """A CSV cell that Excel/WPS would evaluate as a formula gets a leading apostrophe."""
    return "'" + value if is_formula_like(value) else value


class Labeller:
    """Turns one row of raw values (in `columns` order) into what people read."""

    def __init__(self, columns: list[ExportColumn], personal: bool):
        self.columns = columns
        self.personal = personal
        self.zone = local_zone()
        self.labels = {c.field: _choices(c.field) for c in columns if c.kind == "label"}

    def convert(self, raw: Iterable) -> list:
        out = []
        for column, value in zip(self.columns, raw, strict=True):
            if value is None or value == "":
                out.append(None)
                continue
            if column.personal and not self.personal:
                value = privacy.mask(column.field, value)
            kind = column.kind
            if kind == "label":
                value = self.labels[column.field].get(str(value), str(value))
            elif kind == "bool":
                value = "是" if value else "否"
            elif kind == "datetime":
                value = timezone.localtime(value, self.zone).replace(tzinfo=None, microsecond=0)
            elif kind in ("text", "code"):
                value = clean_text(str(value))
            out.append(value)
        return out


def roster_order() -> list:
    """Within a course: 已录取 → 递补待确认 → 候补 (in waitlist order) → 待摇号 → 未录取 → 已取消, then by
    submission time."""
    status_rank = Case(
        *[When(status=status, then=Value(rank)) for rank, status in enumerate(STATUS_ORDER)],
        default=Value(len(STATUS_ORDER)),
        output_field=IntegerField(),
    )
    return [status_rank, "waitlist_position", "created_at", "pk"]


def export_queryset(queryset):
    """The rows to export in the order staff read them: by course, then in roster order."""
    return queryset.order_by("course__title", "course_id", *roster_order()).select_related(None)


def iter_rows(queryset, columns: list[ExportColumn]) -> Iterator[tuple]:
    """(course_id, raw values…) per enrollment, from one chunked query."""
    fields = ["course_id", *(c.field for c in columns)]
    return export_queryset(queryset).values_list(*fields).iterator(chunk_size=CHUNK_SIZE)


# --- CSV -----------------------------------------------------------------------------------------------


class _Echo:
    def write(self, value):
        return value


def stream_csv(queryset, personal: bool) -> Iterator[bytes]:
    """UTF-8 with BOM, CRLF line ends, one header row; yields about 64 KB at a time."""
    columns = columns_for(personal)
    labeller = Labeller(columns, personal)
    writer = csv.writer(_Echo())
    buffer = [BOM, writer.writerow([c.heading for c in columns])]
    size = 0
    for raw in iter_rows(queryset, columns):
        cells = []
        for column, value in zip(columns, labeller.convert(raw[1:]), strict=True):
            if value is None:
                cells.append("")
            elif column.kind == "code":
                cells.append("\t" + value)
            elif column.kind == "date":
                cells.append(value.isoformat())
            elif column.kind == "datetime":
                cells.append(value.strftime("%Y-%m-%d %H:%M:%S"))
            elif isinstance(value, str):
                cells.append(neutralise_csv(value))
            else:
                cells.append(value)
        line = writer.writerow(cells)
        buffer.append(line)
        size += len(line)
        if size > 32_000:
            yield "".join(buffer).encode("utf-8")
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode("utf-8")


# --- XLSX ----------------------------------------------------------------------------------------------


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name (at most 31 characters, none of []:*?/\\)."""
    base = _SHEET_NAME_FORBIDDEN.sub("_", clean_text(name)).strip("'").strip() or "课程"
    title = base[:31]
    n = 2
    while title.lower() in taken:
        suffix = f"（{n}）"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(title.lower())
    return title


def write_xlsx(queryset, output, personal: bool, *, per_course: bool | None = None) -> int:
    """Write the workbook to the binary file `output`; returns the number of enrollment rows.

    With several courses (up to MAX_COURSE_SHEETS) the first sheet 汇总 counts each course's rows by
    status and every course gets a sheet of its own; otherwise one sheet 报名名单.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    columns = columns_for(personal)
    labeller = Labeller(columns, personal)
    if per_course is None:
        course_count = queryset.order_by().values("course_id").distinct().count()
        per_course = 1 < course_count <= MAX_COURSE_SHEETS

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="F2F2F2")
    taken: set[str] = set()

    def new_sheet(title):
        sheet = workbook.create_sheet(sheet_title(title, taken))
        for index, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        sheet.freeze_panes = "A2"
        header = []
        for column in columns:
            cell = WriteOnlyCell(sheet, column.heading)
            cell.font = bold
            cell.fill = header_fill
            header.append(cell)
        sheet.append(header)
        return sheet

    def make_cells(sheet, values):
        # Plain values where openpyxl formats them itself (numbers, dates: yyyy-mm-dd [h:mm:ss]); a styled
        # cell only where needed, since a styled cell costs several times a plain one.
        cells = list(values)
        for index in code_indexes:
            if cells[index] is not None:
                cell = WriteOnlyCell(sheet, cells[index])
                cell.number_format = "@"
                cells[index] = cell
        for index in text_indexes:
            value = cells[index]
            if value is not None and is_formula_like(value):
                cell = WriteOnlyCell(sheet, value)
                cell.data_type = "s"  # openpyxl reads a leading "=" as a formula
                cell.quotePrefix = True
                cells[index] = cell
        return cells

    code_indexes = [i for i, c in enumerate(columns) if c.kind == "code"]
    text_indexes = [i for i, c in enumerate(columns) if c.kind in ("text", "label")]
    status_index = next(i for i, c in enumerate(columns) if c.field == "status")
    summary_sheet = None
    summary: list[list] = []
    if per_course:
        summary_sheet = workbook.create_sheet(sheet_title("汇总", taken))
        for letter, width in zip("ABCDEFGHI", (30, 14, 8, 8, 8, 8, 8, 8, 8), strict=False):
            summary_sheet.column_dimensions[letter].width = width
        sheet = None
    else:
        sheet = new_sheet("报名名单")

    rows = 0
    current_course = object()
    counts: dict[str, int] = {}
    for raw in iter_rows(queryset, columns):
        values = labeller.convert(raw[1:])
        if per_course and raw[0] != current_course:
            current_course = raw[0]
            sheet = new_sheet(values[1] or "课程")
            counts = {}
            summary.append([values[1], values[2], counts])
        if per_course:
            label = values[status_index]
            counts[label] = counts.get(label, 0) + 1
        sheet.append(make_cells(sheet, values))
        rows += 1

    if summary_sheet is not None:
        labels = [str(status.label) for status in STATUS_ORDER]
        header = []
        for text in ["课程", "学期", "合计", *labels]:
            cell = WriteOnlyCell(summary_sheet, text)
            cell.font = bold
            cell.fill = header_fill
            header.append(cell)
        summary_sheet.append(header)
        for title, term, course_counts in summary:
            summary_sheet.append(
                [title, term, sum(course_counts.values()), *(course_counts.get(label, 0) for label in labels)]
            )
    if not workbook.worksheets:
        new_sheet("报名名单")
    workbook.save(output)
    return rows


# --- HTTP responses --------------------------------------------------------------------------------------


def content_disposition(filename: str, ascii_fallback: str) -> str:
    """RFC 6266 / RFC 5987: `filename*` carries the Chinese name, `filename` an ASCII one for old clients."""
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", ascii_fallback)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def export_filename(scope: Iterable[str], now: datetime.datetime | None = None) -> tuple[str, str]:
    """("报名名单-少儿古筝班-20270520-0900", "enrollments-20270520-0900"), without extension."""
    stamp = timezone.localtime(now or timezone.now(), local_zone()).strftime("%Y%m%d-%H%M")
    parts = ["报名名单", *(re.sub(r'[\\/:*?"<>|\s]+', "_", clean_text(p)).strip("_.")[:40] for p in scope if p)]
    return "-".join([*[p for p in parts if p], stamp]), f"enrollments-{stamp}"


def csv_response(queryset, personal: bool, scope: Iterable[str] = ()) -> StreamingHttpResponse:
    name, fallback = export_filename(scope)
    response = StreamingHttpResponse(stream_csv(queryset, personal), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(f"{name}.csv", f"{fallback}.csv")
    response["Cache-Control"] = "no-store"
    return response


def xlsx_response(queryset, personal: bool, scope: Iterable[str] = ()) -> FileResponse:
    name, fallback = export_filename(scope)
    # FileResponse closes the file (and the operating system deletes it) when the response is done.
    output = tempfile.TemporaryFile(prefix="haining-export-", suffix=".xlsx")  # noqa: SIM115
    write_xlsx(queryset, output, personal)
    size = output.tell()
    output.seek(0)
    response = FileResponse(output, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(f"{name}.xlsx", f"{fallback}.xlsx")
    response["Content-Length"] = str(size)
    response["Cache-Control"] = "no-store"
    return response
