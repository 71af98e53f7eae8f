"""通知记录 in the Wagtail admin: every notice with its state, attempts and last error; staff may resend."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from wagtail import hooks
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from haining.admin_ui import ChineseInspectView
from notices.models import Notice
from notices.services import resend


def can_resend(user) -> bool:
    return user.has_perm("notices.resend_notice")


class ReadOnlyPolicy(ModelPermissionPolicy):
    """Notices are written by the system only: staff view them and resend, never add, edit or delete."""

    def user_has_permission(self, user, action):
        if action in ("add", "change", "delete"):
            return False
        return super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        actions = [action for action in actions if action not in ("add", "change", "delete")]
        return super().users_with_any_permission(actions)


register_permission_policy(Notice, ReadOnlyPolicy(Notice))


class NoticeIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        if can_resend(self.request.user):
            buttons.append(
                MenuItem("重发", url=reverse("notices:resend", args=[instance.pk]), icon_name="resubmit", priority=40)
            )
        return buttons


class NoticeInspectView(ChineseInspectView):
    field_labels = {"kind_label": "通知类型", "masked_recipient": "接收人"}


class NoticeViewSet(ModelViewSet):
    model = Notice
    icon = "mail"
    menu_label = "通知记录"
    menu_order = 305
    add_to_admin_menu = True
    inspect_view_enabled = True
    index_view_class = NoticeIndexView
    inspect_view_class = NoticeInspectView
    list_display = [
        "reference",
        Column("kind_label", label="通知类型", sort_key="kind"),
        "channel",
        Column("masked_recipient", label="接收人"),
        "status",
        "attempts",
        Column("last_error", label="最近错误"),
        "created_at",
        "sent_at",
    ]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["reference"]
    inspect_view_fields = [
        "reference",
        "kind_label",
        "channel",
        "masked_recipient",
        "subject",
        "body",
        "status",
        "attempts",
        "last_error",
        "provider_id",
        "created_at",
        "next_attempt_at",
        "sent_at",
        "resend_of",
        "created_by",
    ]
    list_per_page = 50
    form_fields = []

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [path("<int:pk>/resend/", self.resend_view, name="resend")]

    def resend_view(self, request, pk):
        """Confirm (GET) and resend (POST); `next` (a local URL) is where to return, e.g. an enrollment page."""
        if not can_resend(request.user):
            raise PermissionDenied
        notice = get_object_or_404(Notice, pk=pk)
        back = request.POST.get("next") or request.GET.get("next") or ""
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = reverse(self.get_url_name("index"))
        if request.method != "POST":
            return TemplateResponse(
                request, "notices/admin/confirm_resend.html", {"notice": notice, "index_url": back, "next": back}
            )
        copy = resend(notice, request.user)
        messages.success(request, f"已重新排队发送（通知 {copy.pk}），发送结果见列表中的状态。")
        return redirect(back)


notice_viewset = NoticeViewSet("notices")


@hooks.register("register_admin_viewset")
def register_notice_viewset():
    return notice_viewset


@hooks.register("register_log_actions")
def register_notice_log_actions(actions):
    actions.register_action("notices.resend", "重发通知", "工作人员重发通知")
