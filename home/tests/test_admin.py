"""Editors build the site in the admin: every page type can be created there, under its allowed parent only."""

import datetime

import pytest
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from home.models import HomePage, NewsIndexPage, NewsPage, StandardPage
from home.tests.factories import NewsCategoryFactory, NewsIndexPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("chief", "chief@example.cn", "pw")
    client.force_login(user)
    return client


def _add(client, model, parent, data):
    url = f"/admin/pages/add/{model._meta.app_label}/{model._meta.model_name}/{parent.pk}/"
    assert client.get(url).status_code == 200
    data = {"action-publish": "publish", **data}
    response = client.post(url, nested_form_data(data))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    return model.objects.child_of(parent).latest("pk")


def test_admin_creates_every_page_type(admin_client):
    root = Page.get_first_root_node()
    home = _add(
        admin_client,
        HomePage,
        root,
        {
            "title": "测试首页",
            "slug": "ceshi",
            "hero_title": "职工之家",
            "hero_link_text": "了解更多",
            "quick_links": streamfield([]),
        },
    )
    assert home.live

    standard = _add(
        admin_client,
        StandardPage,
        home,
        {
            "title": "关于我们",
            "slug": "about",
            "intro": "导语",
            "body": streamfield([("paragraph", rich_text("<p>职工之家</p>"))]),
        },
    )
    assert "职工之家" in standard.body[0].value.source

    index = _add(admin_client, NewsIndexPage, home, {"title": "工会新闻", "slug": "news", "intro": ""})
    category = NewsCategoryFactory(name="工会要闻", slug="yaowen")
    news = _add(
        admin_client,
        NewsPage,
        index,
        {
            "title": "元旦职工拔河比赛",
            "slug": "tug",
            "date": "2026-01-02",
            "category": category.pk,
            "tags": "拔河, 职工文体",
            "lead": "新年伊始",
            "author": "市总工会",
            "body": streamfield([("paragraph", rich_text("<p>比赛正文</p>"))]),
            "gallery_images": inline_formset([]),
            "related_links": inline_formset([]),
        },
    )
    assert news.live and news.date == datetime.date(2026, 1, 2)
    assert sorted(t.name for t in news.tags.all()) == ["拔河", "职工文体"]


def test_page_types_declare_their_parents(admin_client, site_root):
    index = NewsIndexPageFactory(parent=site_root)
    assert NewsPage in index.specific_class.allowed_subpage_models()
    assert NewsPage not in HomePage.allowed_subpage_models()
    # A news page cannot be added directly under the home page.
    response = admin_client.get(f"/admin/pages/add/home/newspage/{site_root.pk}/")
    assert response.status_code == 302 and not NewsPage.objects.child_of(site_root).exists()
    assert HomePage.allowed_parent_page_models() == [Page]
    assert not HomePage.can_create_at(site_root)  # one home page per site


def test_news_category_snippet_is_managed_in_chinese(admin_client):
    response = admin_client.get("/admin/snippets/home/newscategory/")
    assert response.status_code == 200
    assert "新闻栏目" in response.text
