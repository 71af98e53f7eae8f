"""StreamField blocks shared by every page type of the site."""

import os

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds import embeds
from wagtail.embeds.blocks import EmbedBlock, EmbedValue
from wagtail.embeds.exceptions import EmbedException
from wagtail.images.blocks import ImageChooserBlock
from wagtail.rich_text import RichText

from .embeds import VideoLinkError, link_from_input, parse_video_link

TABLE_OPTIONS = {
    "minSpareRows": 0,
    "startRows": 3,
    "startCols": 3,
    "colHeaders": False,
    "rowHeaders": False,
    "contextMenu": [
        "row_above",
        "row_below",
        "---------",
        "col_left",
        "col_right",
        "---------",
        "remove_row",
        "remove_col",
        "---------",
        "undo",
        "redo",
    ],
    "editor": "text",
    "stretchH": "all",
    "height": 216,
    "language": "zh-CN",
    "renderer": "text",
    "autoColumnSize": False,
}


MAX_TABLE_ROWS = 500
MAX_TABLE_COLUMNS = 60
MAX_CELL_CHARS = 2000


class PastedTableWidget(forms.Widget):
    """A paste area: the admin script (static/js/admin/editor-content.js, Stimulus controller
    ``pasted-table``) reads the clipboard's HTML table (Excel, WPS, a web page) into the hidden input."""

    template_name = "home/widgets/pasted_table.html"

    def format_value(self, value):
        return "" if value is None else value


def clean_table_data(data) -> dict:
    """Validate and normalise a pasted table: ``{"rows": [[{"text", "colspan", "rowspan"}, …], …]}``.

    Cell text is plain text (tags are never kept); spans are clamped to the table's size. Raises
    ValidationError (Chinese) for an empty or oversized table.
    """
    import unicodedata

    rows = data.get("rows") if isinstance(data, dict) else None
    if not isinstance(rows, list) or not rows:
        raise ValidationError("请先在粘贴区粘贴一个表格。")
    if len(rows) > MAX_TABLE_ROWS:
        raise ValidationError(f"表格超过 {MAX_TABLE_ROWS} 行：请拆成几个表格，或作为附件上传。")
    clean_rows = []
    for row in rows:
        if not isinstance(row, list):
            raise ValidationError("表格数据格式不对：请重新粘贴。")
        if len(row) > MAX_TABLE_COLUMNS:
            raise ValidationError(f"表格超过 {MAX_TABLE_COLUMNS} 列：请作为附件上传。")
        clean_row = []
        for cell in row:
            if not isinstance(cell, dict):
                cell = {"text": str(cell)}
            text = str(cell.get("text", ""))[:MAX_CELL_CHARS]
            text = "".join(ch for ch in text if ch == "\n" or not unicodedata.category(ch).startswith("C"))
            spans = []
            for key, limit in (("colspan", MAX_TABLE_COLUMNS), ("rowspan", MAX_TABLE_ROWS)):
                try:
                    spans.append(min(max(int(cell.get(key, 1)), 1), limit))
                except (TypeError, ValueError):
                    spans.append(1)
            clean_row.append({"text": text, "colspan": spans[0], "rowspan": spans[1]})
        clean_rows.append(clean_row)
    return {"rows": clean_rows}


class TableDataBlock(blocks.FieldBlock):
    def __init__(self, required=True, **kwargs):
        self.field = forms.JSONField(required=required, widget=PastedTableWidget, label=kwargs.get("label"))
        super().__init__(**kwargs)

    def clean(self, value):
        return clean_table_data(super().clean(value))

    class Meta:
        default = None


class PastedTableBlock(blocks.StructBlock):
    """A table pasted from Excel or WPS 表格: merged cells (colspan/rowspan) and a header row kept."""

    caption = blocks.CharBlock(required=False, max_length=120, label="表格标题")
    data = TableDataBlock(label="表格内容")
    header_row = blocks.BooleanBlock(required=False, default=True, label="第一行是表头")
    header_column = blocks.BooleanBlock(required=False, default=False, label="第一列是表头")

    class Meta:
        icon = "table"
        label = "表格（从 Excel/WPS 粘贴）"
        template = "blocks/pasted_table.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        rows = (value.get("data") or {}).get("rows") or []
        split = 1 if value.get("header_row") and rows else 0
        context["head_rows"], context["body_rows"] = rows[:split], rows[split:]
        return context


class LinkValue(blocks.StructValue):
    def href(self) -> str:
        page = self.get("page")
        if page is not None:
            return page.url or ""
        return self.get("url") or ""


class LinkBlock(blocks.StructBlock):
    """A link to a page on this site or to an external address (the page wins when both are set)."""

    page = blocks.PageChooserBlock(required=False, label="站内页面")
    url = blocks.URLBlock(required=False, label="外部链接")

    class Meta:
        label = "链接"
        value_class = LinkValue

    def clean(self, value):
        result = super().clean(value)
        if not result.get("page") and not result.get("url"):
            from django.core.exceptions import ValidationError
            from wagtail.blocks.struct_block import StructBlockValidationError

            raise StructBlockValidationError(
                block_errors={"page": ValidationError("请选择一个站内页面或填写外部链接。")}
            )
        return result


class ImageWithCaptionBlock(blocks.StructBlock):
    image = ImageChooserBlock(label="图片")
    caption = blocks.CharBlock(required=False, max_length=200, label="图片说明")

    class Meta:
        icon = "image"
        label = "图片"
        template = "blocks/image_with_caption.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label="引文")
    attribution = blocks.CharBlock(required=False, max_length=100, label="出处")

    class Meta:
        icon = "openquote"
        label = "引用"
        template = "blocks/quote.html"


class VideoLinkBlock(blocks.StructBlock):
    """A link to a video with a poster image; nothing is embedded (third-party players are often blocked)."""

    title = blocks.CharBlock(max_length=120, label="视频标题")
    url = blocks.URLBlock(label="视频地址")
    poster = ImageChooserBlock(required=False, label="封面图")
    duration = blocks.CharBlock(required=False, max_length=20, label="时长", help_text="例如 03:25")

    class Meta:
        icon = "media"
        label = "视频链接"
        template = "blocks/video_link.html"


class VideoEmbedBlock(EmbedBlock):
    """A bilibili / Tencent Video / Youku / Douyin player (or a 视频号 link card), from a link or embed code.

    The player address is built from the video id by home.embeds (no request to the platform).
    """

    @cached_property
    def field(self):
        return forms.CharField(
            label="视频网址或嵌入代码",
            required=self.required,
            max_length=2000,
            help_text="支持哔哩哔哩、腾讯视频、优酷、抖音、视频号：粘贴视频页面网址，或平台「分享 → 嵌入代码」。",
            widget=forms.Textarea(attrs={"rows": 2}),
        )

    def value_from_form(self, value):
        return super().value_from_form(link_from_input(value))

    def clean(self, value):
        if isinstance(value, EmbedValue) and value.url:
            try:
                parse_video_link(value.url)
            except VideoLinkError as error:
                raise ValidationError(str(error)) from error
        return super().clean(value)


class VideoValue(blocks.StructValue):
    def embed(self):
        value = self.get("video")
        if not value or not value.url:
            return None
        try:
            return embeds.get_embed(value.url)
        except EmbedException:
            return None


class VideoBlock(blocks.StructBlock):
    video = VideoEmbedBlock(
        label="视频网址或嵌入代码",
        help_text="支持哔哩哔哩、腾讯视频、优酷、抖音、视频号：粘贴视频页面网址，或平台「分享 → 嵌入代码」。YouTube 等境外网站在中国大陆打不开，不能使用。",
    )
    title = blocks.CharBlock(required=False, max_length=120, label="视频标题")

    class Meta:
        icon = "media"
        label = "网络视频"
        template = "blocks/video_embed.html"
        value_class = VideoValue


VIDEO_FILE_EXTENSIONS = {"mp4": "video/mp4", "webm": "video/webm"}


class VideoFileBlock(blocks.StructBlock):
    """An uploaded MP4 played by the browser's own <video> element, with a poster picture."""

    file = DocumentChooserBlock(label="视频文件", help_text="在「文档」中上传 MP4（H.264 编码手机和电脑都能播放）")
    poster = ImageChooserBlock(label="封面图", help_text="播放前显示的画面")
    title = blocks.CharBlock(max_length=120, label="视频标题")
    caption = blocks.CharBlock(required=False, max_length=200, label="说明")

    class Meta:
        icon = "media"
        label = "上传的视频"
        template = "blocks/video_file.html"

    def clean(self, value):
        result = super().clean(value)
        document = result.get("file")
        if document is not None:
            extension = os.path.splitext(document.file.name)[1].lower().lstrip(".")
            if extension not in VIDEO_FILE_EXTENSIONS:
                from wagtail.blocks.struct_block import StructBlockValidationError

                raise StructBlockValidationError(
                    block_errors={"file": ValidationError(f"请选择 MP4 或 WebM 视频文件（当前是 .{extension}）。")}
                )
        return result

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        document = value.get("file")
        if document is not None:
            extension = os.path.splitext(document.file.name)[1].lower().lstrip(".")
            context["mime_type"] = VIDEO_FILE_EXTENSIONS.get(extension, "video/mp4")
        return context


class DocumentDownloadBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label="文件")
    title = blocks.CharBlock(required=False, max_length=120, label="显示名称", help_text="留空则使用文件标题")

    class Meta:
        icon = "doc-full"
        label = "文件下载"
        template = "blocks/document_download.html"


class CallToActionBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=80, label="标题")
    text = blocks.TextBlock(required=False, label="说明")
    button_text = blocks.CharBlock(max_length=20, label="按钮文字", default="了解详情")
    link = LinkBlock(label="按钮链接")

    class Meta:
        icon = "pick"
        label = "行动号召"
        template = "blocks/call_to_action.html"


# 通知 formatting (indent, centre, right, 红头) is registered in home.wagtail_hooks.
RICH_TEXT_FEATURES = [
    "red-head", "h2", "h3", "h4", "bold", "ol", "ul", "hr", "link", "document-link", "image", "blockquote",
    "indent", "align-center", "align-right",
]  # fmt: skip


class PasteAwareRichTextBlock(blocks.RichTextBlock):
    """Rich text whose pasted external pictures are imported on save (home.paste_import).

    Placeholders that could not be imported may stay in a draft, never in a publish or a submission.
    """

    def clean(self, value):
        from .paste_import import PUBLISHING, resolve_pasted_images, unresolved_message

        value = super().clean(value)
        source = value.source if isinstance(value, RichText) else str(value or "")
        new_source, left = resolve_pasted_images(source)
        if left and PUBLISHING.get():
            raise ValidationError(unresolved_message(left))
        return RichText(new_source) if new_source != source else value


class BodyBlock(blocks.StreamBlock):
    """The body of standard and news pages."""

    paragraph = PasteAwareRichTextBlock(features=RICH_TEXT_FEATURES, label="正文", icon="pilcrow")
    image = ImageWithCaptionBlock()
    quote = QuoteBlock()
    pasted_table = PastedTableBlock()
    table = TableBlock(table_options=TABLE_OPTIONS, label="表格（手工录入）", template="blocks/table.html")
    video_embed = VideoBlock()
    video_file = VideoFileBlock()
    video = VideoLinkBlock()
    download = DocumentDownloadBlock()
    call_to_action = CallToActionBlock()


class QuickLinkBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=20, label="名称")
    description = blocks.CharBlock(required=False, max_length=40, label="一句话说明")
    icon = blocks.ChoiceBlock(
        choices=[
            ("phone", "电话"),
            ("help", "服务"),
            ("law", "法律"),
            ("health", "医疗"),
            ("book", "书屋"),
            ("course", "课程"),
            ("event", "活动"),
        ],
        default="help",
        label="图标",
    )
    link = LinkBlock(label="链接")

    class Meta:
        icon = "link"
        label = "快捷入口"


class NavItemBlock(blocks.StructBlock):
    label = blocks.CharBlock(max_length=12, required=False, label="显示文字", help_text="留空则使用页面标题")
    link = LinkBlock(label="链接")

    class Meta:
        icon = "link"
        label = "导航项"


class FooterLinkBlock(blocks.StructBlock):
    label = blocks.CharBlock(max_length=30, label="显示文字")
    link = LinkBlock(label="链接")

    class Meta:
        icon = "link"
        label = "页脚链接"
