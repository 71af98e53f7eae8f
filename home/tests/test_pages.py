"""What visitors get from the site frame: pages, news listing and filters, feeds, sitemap, errors."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.test import override_settings

from home.tests.factories import (
    NewsCategoryFactory,
    NewsIndexPageFactory,
    NewsPageFactory,
    StandardPageFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def news_index(site_root):
    return NewsIndexPageFactory(parent=site_root)


def test_home_shows_latest_news_with_featured_first(client, site_root, news_index):
    old = NewsPageFactory(parent=news_index, title="海宁市总工会开展一对一冬送温暖活动", date=datetime.date(2026, 1, 5))
    new = NewsPageFactory(parent=news_index, title="海宁市总工会举办元旦职工拔河比赛", date=datetime.date(2026, 1, 2))
    new.date = datetime.date(2026, 1, 9)
    new.save_revision().publish()
    html = client.get("/").text
    assert "头条" in html
    assert html.index(new.title) < html.index(old.title)
    assert '<html lang="zh-CN">' in html


def test_editor_can_choose_featured_news(client, site_root, news_index):
    chosen = NewsPageFactory(parent=news_index, title="职工书屋免费开放", date=datetime.date(2025, 1, 1))
    NewsPageFactory(parent=news_index, title="更新的一条新闻", date=datetime.date(2026, 1, 1))
    site_root.featured_news = chosen
    site_root.save_revision().publish()
    html = client.get("/").text
    featured_block = html[html.index('class="featured"') :]
    assert featured_block.index(chosen.title) < featured_block.index("更新的一条新闻")


def test_unpublished_news_is_not_listed(client, site_root, news_index):
    draft = NewsPageFactory(parent=news_index, title="草稿新闻")
    draft.unpublish()
    assert "草稿新闻" not in client.get(news_index.url).text
    assert client.get(draft.url_path.replace(site_root.url_path, "/")).status_code == 404


def test_news_index_filters_by_category_and_tag(client, news_index):
    culture = NewsCategoryFactory(name="文化活动", slug="wenhua")
    service = NewsCategoryFactory(name="职工服务", slug="fuwu")
    a = NewsPageFactory(parent=news_index, title="拔河比赛", category=culture)
    a.tags.add("拔河")
    a.save_revision().publish()
    NewsPageFactory(parent=news_index, title="医疗互助", category=service)

    by_category = client.get(news_index.url, {"category": "wenhua"}).text
    assert "拔河比赛" in by_category and "医疗互助" not in by_category
    by_tag = client.get(news_index.url, {"tag": "拔河"}).text
    assert "拔河比赛" in by_tag and "医疗互助" not in by_tag
    unknown = client.get(news_index.url, {"category": "nope"})
    assert unknown.status_code == 200 and "没有找到相关新闻" in unknown.text


@pytest.mark.parametrize("page_number", ["abc", "-1", "0", "99999", "1e9", "%00", "１"])
def test_news_index_bad_page_numbers_never_fail(client, news_index, page_number):
    NewsPageFactory(parent=news_index)
    response = client.get(news_index.url, {"page": page_number, "tag": "x" * 500})
    assert response.status_code == 200


def test_news_index_paginates(client, news_index):
    news_index.per_page = 12
    for n in range(14):
        NewsPageFactory(parent=news_index, title=f"分页新闻{n:02d}")
    first = client.get(news_index.url).text
    second = client.get(news_index.url, {"page": 2}).text
    assert "第 1 / 2 页" in first and "第 2 / 2 页" in second
    assert first.count('class="card"') == 12 and second.count('class="card"') == 2


def test_news_page_shows_body_gallery_tags_and_related(client, news_index):
    category = NewsCategoryFactory(name="文化活动", slug="wenhua")
    sibling = NewsPageFactory(parent=news_index, title="同栏目的另一条新闻", category=category)
    page = NewsPageFactory(
        parent=news_index,
        title="元旦职工拔河比赛",
        category=category,
        body=[
            ("paragraph", "<p>各镇（街道）工会组队参赛。</p>"),
            ("quote", {"text": "团结就是力量", "attribution": "参赛职工"}),
        ],
    )
    page.tags.add("拔河")
    page.save_revision().publish()
    html = client.get(page.url).text
    assert "各镇（街道）工会组队参赛。" in html
    assert "团结就是力量" in html
    assert 'href="/news/?tag=%E6%8B%94%E6%B2%B3"' in html
    assert sibling.title in html  # related news from the same category
    assert '<meta property="og:type" content="article">' in html
    assert '<nav class="breadcrumbs' in html and ">工会新闻</a>" in html


def test_standard_page_renders_streamfield_blocks(client, site_root):
    page = StandardPageFactory(
        parent=site_root,
        title="关于我们",
        body=[
            ("paragraph", "<p>职工之家</p>"),
            (
                "table",
                {
                    "data": [["项目", "数据"], ["会员", "316798"]],
                    "first_row_is_table_header": True,
                    "first_col_is_header": False,
                    "table_caption": "基本情况",
                },
            ),
            (
                "call_to_action",
                {
                    "title": "报名培训",
                    "text": "",
                    "button_text": "去报名",
                    "link": {"page": None, "url": "https://example.cn/"},
                },
            ),
            ("video", {"title": "宣传片", "url": "https://example.cn/v.mp4", "poster": None, "duration": "03:25"}),
        ],
    )
    html = client.get(page.url).text
    assert "职工之家" in html and '<th scope="col">项目</th>' in html and "316798" in html
    assert 'href="https://example.cn/">去报名</a>' in html
    assert "观看视频：宣传片" in html


def test_rss_and_atom_feeds_are_valid_and_list_news(client, news_index):
    NewsPageFactory(parent=news_index, title="职工医疗互助参保突破4.3万人")
    rss = client.get(news_index.url + "feed/")
    assert rss.status_code == 200 and rss["Content-Type"].startswith("application/rss+xml")
    items = ET.fromstring(rss.content).findall("./channel/item")
    assert [i.findtext("title") for i in items] == ["职工医疗互助参保突破4.3万人"]
    atom = client.get(news_index.url + "atom/")
    entries = ET.fromstring(atom.content).findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 1


def test_sitemap_and_robots(client, news_index):
    page = NewsPageFactory(parent=news_index, title="书屋")
    sitemap = client.get("/sitemap.xml")
    assert sitemap.status_code == 200
    assert page.url in sitemap.text
    robots = client.get("/robots.txt")
    assert robots["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in robots.text
    assert "Disallow: /admin/" in robots.text


def test_404_is_chinese(client, site_root):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "您访问的页面不存在" in response.text


@override_settings(DEBUG=False)
def test_500_is_chinese_and_needs_no_database(rf):
    from home.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "服务器暂时出现问题" in response.content.decode()


def test_csrf_failure_is_chinese(site_root):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/search/", {"q": "x"})
    assert response.status_code == 403
    assert "页面已过期" in response.text


def test_navigation_and_footer_follow_settings_changes(client, site_root, news_index):
    from wagtail.models import Site

    from home.models import NavigationSettings, SiteContactSettings

    site = Site.objects.get(is_default_site=True)
    nav = NavigationSettings.for_site(site)
    nav.main_navigation = [("item", {"label": "新闻中心", "link": {"page": news_index, "url": ""}})]
    nav.save()
    contact = SiteContactSettings.for_site(site)
    contact.opening_hours = "周一至周五 8:30–17:00"
    contact.save()
    html = client.get("/").text
    assert ">新闻中心</a>" in html and "周一至周五 8:30–17:00" in html

    contact.opening_hours = "每天 9:00–20:00"
    contact.save()
    html = client.get("/").text
    assert "每天 9:00–20:00" in html and "周一至周五" not in html


def test_healthz(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_cached_listings_follow_publishing_at_once(client, site_root, news_index):
    NewsPageFactory(parent=news_index, title="第一条新闻")
    assert "第一条新闻" in client.get(news_index.url).text and "第一条新闻" in client.get("/").text
    fresh = NewsPageFactory(parent=news_index, title="刚刚发布的新闻")
    assert "刚刚发布的新闻" in client.get(news_index.url).text
    assert "刚刚发布的新闻" in client.get("/").text
    fresh.unpublish()
    assert "刚刚发布的新闻" not in client.get(news_index.url).text
    assert "刚刚发布的新闻" not in client.get("/").text


def test_pagination_keeps_filters(client, news_index):
    category = NewsCategoryFactory(name="文化活动", slug="wenhua")
    for n in range(13):
        NewsPageFactory(parent=news_index, category=category, title=f"文化新闻{n}")
    html = client.get(news_index.url, {"category": "wenhua"}).text
    assert 'href="?category=wenhua&amp;page=2"' in html


def test_breadcrumbs_cost_no_query_once_seen_and_follow_a_renamed_or_moved_section(
    client, site_root, news_index, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    page = NewsPageFactory(parent=news_index, title="元旦职工拔河比赛")
    client.get(page.url)
    with CaptureQueriesContext(connection) as first:
        html = client.get(page.url, HTTP_COOKIE="sessionid=x").text  # rendered, not from the page cache
    assert f'<a href="{news_index.url}">工会新闻</a>' in html
    pages_read = [q["sql"] for q in first.captured_queries if '"wagtailcore_page"."title"' in q["sql"]]
    assert len(pages_read) == 1, pages_read  # the page itself; its ancestors come from the cache

    news_index.title = "基层动态"
    news_index.save_revision().publish()
    html = client.get(page.url, HTTP_COOKIE="sessionid=x").text
    assert ">基层动态</a>" in html and ">工会新闻</a>" not in html

    section = StandardPageFactory(parent=site_root, title="工会概况", slug="gaikuang")
    page.move(section, pos="last-child")
    page.refresh_from_db()
    html = client.get(page.url, HTTP_COOKIE="sessionid=x").text
    assert '<a href="/gaikuang/">工会概况</a>' in html and ">基层动态</a>" not in html
