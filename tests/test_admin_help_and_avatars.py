"""帮助 opens our Chinese guide (docs/guide.md) in the admin; no avatar comes from Gravatar; the account page
offers only Asia/Shanghai; notices and empty values read in Chinese."""

import pytest
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client, django_user_model):
    user = django_user_model.objects.create_user("bianji", password="pw", email="bianji@example.cn")
    user.groups.add(Group.objects.get(name="内容编辑"))
    client.force_login(user)
    return user


def test_help_menu_links_our_guide_not_wagtails(client, editor):
    html = client.get("/admin/").text
    assert "/admin/guide/" in html
    assert "guide.wagtail.org" not in html and "wagtail.org/releases" not in html
    guide = client.get("/admin/guide/")
    assert guide.status_code == 200
    assert "<h2>报名工作人员：报名管理</h2>" in guide.text and "后台使用指南" in guide.text


def test_guide_needs_an_admin_login(client):
    assert client.get("/admin/guide/").status_code == 302


def test_no_gravatar_and_only_shanghai(client, editor):
    html = client.get("/admin/account/").text
    assert "gravatar" not in html.lower()
    # Only one zone: Wagtail then leaves the field out; no IANA list of ~600 names.
    assert "Europe/London" not in html and "America/New_York" not in html


def test_notice_inspect_reads_chinese(client, django_user_model):
    from notices.models import Notice

    staff = django_user_model.objects.create_user("baoming", password="pw")
    staff.groups.add(Group.objects.get(name="报名管理员"))
    client.force_login(staff)
    notice = Notice.objects.create(kind="created:waitlisted", channel="sms", recipient="13800001234", body="…")
    html = client.get(f"/admin/notices/inspect/{notice.pk}/").text
    assert "报名成功（候补）" in html and "created:waitlisted" not in html
    assert "Masked recipient" not in html and "接收人" in html
    assert ">None<" not in html.replace(" ", "").replace("\n", "")
    listing = client.get("/admin/notices/").text
    assert "报名成功（候补）" in listing


def test_page_search_counts_pages_not_none(client, editor, site_root):
    from home.tests.factories import NewsIndexPageFactory, NewsPageFactory

    NewsPageFactory(parent=NewsIndexPageFactory(parent=site_root), title="职工运动会")
    html = client.get("/admin/pages/search/", {"q": "运动会"}).text
    assert "个页面" in html and "个None" not in html


def test_permission_names_are_chinese():
    """Group and user screens list permissions by name; Django and Wagtail store English ones at migrate time."""
    from django.contrib.auth.models import Permission

    names = dict(Permission.objects.values_list("codename", "name"))
    assert names["access_admin"] == "可以访问管理后台"
    assert names["add_group"] == "可以添加组"
    assert names["publish_page"] == "发布任意页面"
    assert names["change_enrollment"].startswith("可以修改")
    assert names["add_page"] == "可以添加页面" and names["change_collection"] == "可以修改集合"
    assert not Permission.objects.filter(name__startswith="Can ", content_type__app_label__in=["auth", "training"])
