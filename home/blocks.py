"""StreamField blocks shared by every page type of the site."""

from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

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


RICH_TEXT_FEATURES = ["h2", "h3", "h4", "bold", "ol", "ul", "hr", "link", "document-link", "blockquote"]


class BodyBlock(blocks.StreamBlock):
    """The body of standard and news pages."""

    paragraph = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label="正文", icon="pilcrow")
    image = ImageWithCaptionBlock()
    quote = QuoteBlock()
    table = TableBlock(table_options=TABLE_OPTIONS, label="表格", template="blocks/table.html")
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
