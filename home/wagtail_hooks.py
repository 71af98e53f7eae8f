"""Admin registration for the site frame: news categories, 通知 rich-text features, editor assets."""

from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.rich_text.converters.html_to_contentstate import BlockElementHandler
from wagtail.admin.rich_text.editors.draftail import features as draftail_features
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import NewsCategory


class NewsCategoryViewSet(SnippetViewSet):
    model = NewsCategory
    icon = "tag"
    menu_label = "新闻栏目"
    menu_order = 210
    add_to_admin_menu = False
    list_display = ["name", "slug", "sort_order"]
    search_fields = ["name"]
    ordering = ["sort_order", "name"]


register_snippet(NewsCategoryViewSet)


# --- 通知 formatting as rich-text features --------------------------------------------------------
# Each is a block type stored as a paragraph (or heading) with one class, styled in static/css/site.css
# (rem units, so 长辈模式 scales them) and in the editor by static/css/admin/editor-content.css.
NOTICE_BLOCK_FEATURES = [
    # feature name, Draftail type, toolbar label, description, element, class
    ("indent", "indent", "缩进", "首行缩进两字", "p", "indent"),
    ("align-center", "align-center", "居中", "居中段落（标题、文号）", "p", "align-center"),
    ("align-right", "align-right", "居右", "右对齐段落（落款、日期）", "p", "align-right"),
    ("red-head", "red-head", "红头", "红头标题（公文版头）", "h2", "red-head"),
]


@hooks.register("register_rich_text_features")
def register_notice_features(features):
    for feature, block_type, label, description, element, css_class in NOTICE_BLOCK_FEATURES:
        features.register_editor_plugin(
            "draftail",
            feature,
            draftail_features.BlockFeature({"type": block_type, "label": label, "description": description}),
        )
        features.register_converter_rule(
            "contentstate",
            feature,
            {
                "from_database_format": {f'{element}[class="{css_class}"]': BlockElementHandler(block_type)},
                "to_database_format": {"block_map": {block_type: {"element": element, "props": {"class": css_class}}}},
            },
        )


@hooks.register("insert_global_admin_css")
def editor_content_css():
    return format_html(
        '<link rel="stylesheet" href="{}"><link rel="stylesheet" href="{}">',
        static("css/admin/editor-content.css"),
        static("css/admin/admin.css"),
    )


@hooks.register("insert_global_admin_js")
def editor_content_js():
    return format_html('<script src="{}" defer></script>', static("js/admin/editor-content.js"))


@hooks.register("insert_editor_js")
def table_menu_in_chinese():
    return format_html('<script src="{}" defer></script>', static("js/admin/table-zh.js"))


# --- Pasted pictures: no placeholder reaches a published page --------------------------------------
PUBLISH_ACTIONS = ("action-publish", "action-submit", "action-workflow-action")


def _mark_publishing(request, *args):
    from .paste_import import IMPORTING, PUBLISHING

    PUBLISHING.set(request.method == "POST" and any(request.POST.get(action) for action in PUBLISH_ACTIONS))
    # Wagtail's autosave asks for JSON; fetching pictures then would slow every keystroke's save.
    IMPORTING.set(request.accepts("text/html"))


hooks.register("before_edit_page", _mark_publishing)
hooks.register("before_create_page", _mark_publishing)


# --- 帮助: our Chinese guide (docs/guide.md) replaces Wagtail's English guide links ---------------
@hooks.register("register_admin_urls")
def register_guide_url():
    from django.urls import path

    from .guide import guide_view

    return [path("guide/", guide_view, name="haining_guide")]


@hooks.register("register_help_menu_item")
def register_guide_menu_item():
    from django.urls import reverse
    from wagtail.admin.menu import MenuItem

    return MenuItem("使用指南", reverse("haining_guide"), name="haining-guide", icon_name="help", order=900)


@hooks.register("construct_help_menu")
def remove_wagtail_guides(request, menu_items):
    from .guide import drop_wagtail_help_items

    drop_wagtail_help_items(request, menu_items)


# --- Page search: Wagtail's SearchView has no model name, so its count read "共 16 个None" ----------
def _name_page_search_results():
    from wagtail.admin.views.pages.search import SearchView

    SearchView.verbose_name = SearchView.verbose_name_plural = "页面"


_name_page_search_results()


@hooks.register("construct_homepage_panels")
def remove_whats_new_in_wagtail(request, panels):
    """The "What's new in Wagtail" panel links to English release notes; our guide is in 帮助."""
    panels[:] = [panel for panel in panels if getattr(panel, "name", "") != "whats_new_in_wagtail_version"]


@hooks.register("register_log_actions")
def register_publishing_log_actions(actions):
    from wagtail.log_actions import LogFormatter

    from .publishing import REFUSED_ACTION

    @actions.register_action(REFUSED_ACTION)
    class PublishRefused(LogFormatter):
        label = "未能发布"

        def format_message(self, log_entry):
            return f"定时发布未执行：{log_entry.data.get('reason', '')}"
