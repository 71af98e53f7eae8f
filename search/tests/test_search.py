"""Chinese search on the database backend (SQLite here; the same tests run on PostgreSQL in `make test`)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from home.tests.factories import NewsIndexPageFactory, NewsPageFactory, StandardPageFactory
from search.backends.database import segment_query_object
from search.segmentation import segment_for_index, segment_query

pytestmark = pytest.mark.django_db

TITLES = {
    "tug": "海宁市总工会举办元旦职工拔河比赛",
    "books": "工人文化宫职工书屋免费开放",
    "welding": "电焊工、管道工培训班开班",
    "guzheng": "暑期少儿古筝兴趣班招生",
    "cad": "职工CAD制图培训班报名",
    "summer": "2027年暑期少儿兴趣班开始报名",
}


@pytest.fixture
def pages(site_root):
    index = NewsIndexPageFactory(parent=site_root)
    made = {key: NewsPageFactory(parent=index, title=title, lead="") for key, title in TITLES.items()}
    made["about"] = StandardPageFactory(parent=site_root, title="关于我们", intro="海宁市总工会是职工的娘家人。")
    return made


def titles(query, method="search"):
    return [p.title for p in getattr(Page.objects.live(), method)(query)]


def test_segmentation_splits_compounds_and_keeps_latin_words():
    assert set(segment_for_index("管道工培训班")) >= set()
    assert {"管道", "管道工", "培训", "培训班"} <= set(segment_for_index("管道工培训班").split())
    assert segment_query("CAD 培训") == "cad 培训"
    assert segment_query("2027 暑期") == "2027 暑期"
    assert segment_query("的") == ""


@pytest.mark.parametrize(
    "query, expected",
    [
        ("拔河", "tug"),
        ("书屋", "books"),
        ("古筝", "guzheng"),
        ("管道工", "welding"),
        ("拔河比赛", "tug"),
        ("CAD 培训", "cad"),
        ("cad", "cad"),
        ("2027 暑期", "summer"),
    ],
)
def test_chinese_and_mixed_queries_find_the_right_page_first(pages, query, expected):
    found = titles(query)
    assert found, f"{query!r} found nothing"
    assert found[0] == TITLES[expected], found


def test_a_common_word_finds_every_page_that_contains_it(pages):
    found = set(titles("培训"))
    assert {TITLES["welding"], TITLES["cad"]} <= found
    assert TITLES["tug"] not in found


def test_autocomplete_matches_word_prefixes(pages):
    assert TITLES["books"] in titles("职工书", "autocomplete")


def test_stock_backend_would_find_nothing_without_segmentation(pages, monkeypatch):
    """Control: with the query left unsegmented, an inner word of a title is not found."""
    from search.backends import database

    monkeypatch.setattr(database.SegmentingSearchMixin, "segment_queries", False)
    Page.objects.live().search("拔河")  # the backend is built (and its indexer installed) on first use
    database.set_index_segmentation(False)
    try:
        page = Page.objects.get(title=TITLES["tug"]).specific
        page.save_revision().publish()  # re-index with the stock indexer
        assert TITLES["tug"] not in titles("拔河")
    finally:
        database.set_index_segmentation(True)


def test_index_follows_publish_unpublish_and_delete(pages):
    page = pages["tug"]
    page.unpublish()
    assert TITLES["tug"] not in titles("拔河")
    page.title = "海宁市总工会举办新春职工拔河比赛"
    page.save_revision().publish()
    assert titles("新春") == ["海宁市总工会举办新春职工拔河比赛"]
    page.delete()
    assert titles("新春") == []


def test_query_objects_are_segmented_throughout():
    from modelsearch.query import And, Boost, Not, Phrase, PlainText

    query = And([PlainText("拔河比赛"), Not(Phrase("职工书屋")), Boost(PlainText("CAD培训"), 2)])
    result = segment_query_object(query)
    assert result.subqueries[0].query_string == "拔河比赛"
    assert result.subqueries[1].subquery.query_string == "职工 书屋"
    assert result.subqueries[2].subquery.query_string == "cad 培训" and result.subqueries[2].boost == 2


def test_search_page_lists_highlights_and_counts(client, pages):
    html = client.get("/search/", {"q": "拔河"}).text
    assert "<mark>拔河</mark>" in html
    assert "找到 1 条结果" in html
    assert '>新闻 <span class="count">1</span>' in html


def test_search_page_filters_by_type(client, pages):
    pages_only = client.get("/search/", {"q": "娘家人", "type": "page"}).text
    assert "关于我们" in pages_only and TITLES["tug"] not in pages_only
    news_only = client.get("/search/", {"q": "职工", "type": "news"}).text
    assert "关于我们" not in news_only and "拔河" in news_only


def test_search_page_escapes_and_survives_bad_input(client, pages):
    for params in (
        {"q": "<script>alert(1)</script>"},
        {"q": "拔河", "page": "abc"},
        {"q": "x" * 5000},
        {"q": "\x00𠀀"},
        {"type": "zzz", "q": "培训"},
    ):
        response = client.get("/search/", params)
        # NUL is refused before the search runs (haining.input_guard); the rest gets the page.
        assert response.status_code == (400 if "\x00" in params["q"] else 200)
        assert "<script>alert(1)</script>" not in response.text


def test_empty_result_suggests_close_titles_and_popular_searches(client, pages):
    from django.test import Client

    for n in range(5):  # popular: searched (and found) by the default minimum of 5 visitors
        Client(REMOTE_ADDR=f"198.51.100.{n + 1}").get("/search/", {"q": "古筝"})
    html = client.get("/search/", {"q": "拨河比塞"}).text
    assert "没有找到与“拨河比塞”相关的内容" in html
    assert TITLES["tug"] in html  # typo-tolerant suggestion
    assert "大家都在搜" in html and "古筝" in html


def test_searches_are_recorded_for_editors(client, pages):
    from django.test import Client
    from wagtail.contrib.search_promotions.models import Query

    client.get("/search/", {"q": "拔河"})
    client.get("/search/", {"q": "拔河"})  # the same visitor again the same day: counted once
    Client(REMOTE_ADDR="198.51.100.9").get("/search/", {"q": "拔河"})
    assert Query.get("拔河").hits == 2


def test_searches_are_counted_in_batches_without_a_write_per_search(pages, settings):
    """With a flush interval, search requests write nothing; one flush adds every buffered count."""
    from django.test import Client
    from wagtail.contrib.search_promotions.models import Query

    from search.tasks import discard_pending_search_hits, flush_search_hits, pending_search_hits

    def search(query, visitor):
        return Client(REMOTE_ADDR=f"198.51.100.{visitor}").get("/search/", {"q": query})

    def writes(queries):
        return [
            q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))
        ]

    # Control: recorded at once (the test settings' interval 0), so the request writes.
    with CaptureQueriesContext(connection) as queries:
        search("书屋", 1)
    assert writes(queries) and Query.get("书屋").hits == 1

    settings.SEARCH_HITS_FLUSH_SECONDS = 3600
    flush_search_hits()  # starts the interval now
    try:
        with CaptureQueriesContext(connection) as queries:
            for visitor in range(3):
                search("拔河", visitor + 1)
            search("古筝", 1)
        assert not writes(queries), writes(queries)
        assert not Query.objects.filter(query_string__in=["拔河", "古筝"]).exists()
        assert sum(pending_search_hits().values()) == 4
        assert flush_search_hits() == 2
        assert (Query.get("拔河").hits, Query.get("古筝").hits, Query.get("书屋").hits) == (3, 1, 1)
        search("拔河", 4)
        assert flush_search_hits() == 1 and Query.get("拔河").hits == 4  # added to the same day's row
    finally:
        discard_pending_search_hits()


def test_site_search_reuses_a_ranking_until_pages_change(client, pages):
    """The second search for the same words (any written form) runs no full-text query; publishing,
    unpublishing or editing a page makes the cached ranking stale at once."""

    def search(query):
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/search/", {"q": query}).text
        ranked = any("MATCH" in q["sql"] or "@@" in q["sql"] for q in queries.captured_queries)
        return html, ranked

    tug = f'href="{pages["tug"].url}"'
    html, ranked = search("拔河")
    assert tug in html and ranked
    html, ranked = search("拔河")
    assert tug in html and not ranked
    assert not search("拔河 ")[1]  # the same words
    pages["tug"].unpublish()
    html, ranked = search("拔河")
    assert tug not in html and ranked
    books = pages["books"]
    books.title = "职工拔河队招募队员"
    books.save_revision().publish()
    html, ranked = search("拔河")
    assert f'href="{books.url}"' in html and ranked


def test_editors_promoted_result_comes_first(client, pages):
    """Promotions are cached like rankings: adding or removing one shows at the next search."""
    from wagtail.contrib.search_promotions.models import Query, SearchPromotion

    assert "报名咨询请看这里" not in client.get("/search/", {"q": "报名"}).text
    promotion = SearchPromotion.objects.create(
        query=Query.get("报名"), page=pages["about"], description="报名咨询请看这里", sort_order=0
    )
    html = client.get("/search/", {"q": "报名"}).text
    assert html.index("报名咨询请看这里") < html.index("/news/cad/")
    promotion.delete()
    assert "报名咨询请看这里" not in client.get("/search/", {"q": "报名"}).text


def test_search_page_looks_up_the_site_once_until_sites_change(client, pages):
    """The cards' links need the request's Site; its lookup is cached until a Site is saved."""

    def site_queries():
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/search/", {"q": "拔河"}).text
        assert f'href="{pages["tug"].url}"' in html
        return [q["sql"] for q in queries.captured_queries if "wagtailcore_site" in q["sql"]]

    site_queries()
    assert not site_queries()
    site = pages["tug"].get_site()
    site.site_name = "海宁市总工会"
    site.save()
    assert site_queries()


def test_result_cards_do_not_load_page_bodies(client, pages):
    """The specific pages behind the cards come without StreamField contents or cover images."""
    with CaptureQueriesContext(connection) as queries:
        assert f'href="{pages["tug"].url}"' in client.get("/search/", {"q": "拔河"}).text
    loaded = [q["sql"] for q in queries.captured_queries if '"home_newspage"."lead"' in q["sql"]]
    assert loaded and not any('"home_newspage"."body"' in sql or "home_siteimage" in sql for sql in loaded)


def test_suggest_endpoint_returns_titles(client, pages):
    data = client.get("/search/suggest/", {"q": "职工书"}).json()
    assert TITLES["books"] in [item["title"] for item in data["results"]]
    assert client.get("/search/suggest/", {"q": ""}).json()["results"] == []


def test_search_page_query_count_does_not_grow_with_results(client, site_root):
    index = NewsIndexPageFactory(parent=site_root)
    for n in range(12):
        NewsPageFactory(parent=index, title=f"职工培训新闻{n}", slug=f"a{n}")
    client.get("/search/", {"q": "培训"})
    with CaptureQueriesContext(connection) as few:
        client.get("/search/", {"q": "培训"})
    for n in range(40):
        NewsPageFactory(parent=index, title=f"更多职工培训新闻{n}", slug=f"b{n}")
    client.get("/search/", {"q": "培训"})
    with CaptureQueriesContext(connection) as many:
        client.get("/search/", {"q": "培训"})
    assert len(many.captured_queries) == len(few.captured_queries) <= 14


def test_admin_page_search_finds_chinese_pages(client, pages, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("editor", "e@example.cn", "pw"))
    html = client.get("/admin/pages/search/", {"q": "拔河"}).text
    assert TITLES["tug"] in html


def test_snippets_and_images_are_searchable_in_chinese(client, django_user_model):
    from culture.models import Venue
    from home.tests.factories import SiteImageFactory

    Venue.objects.create(name="工人文化宫职工剧场", address="工人路1号")
    SiteImageFactory(title="元旦职工拔河比赛现场")
    from wagtail.search.backends import get_search_backend

    assert [v.name for v in get_search_backend().search("剧场", Venue)] == ["工人文化宫职工剧场"]
    from home.models import SiteImage

    assert [i.title for i in SiteImage.objects.search("拔河")] == ["元旦职工拔河比赛现场"]


def test_the_ranking_search_paths_are_in_use():
    from django.db import connection
    from wagtail.search.backends import get_search_backend

    compiler = get_search_backend().query_compiler_class
    assert compiler.__name__.startswith("Ranking"), compiler
    expected = {"sqlite": "_sqlite_search", "postgresql": "_pg_search"}[connection.vendor]
    assert compiler.search.__name__ == expected


@pytest.fixture
def ranked_pages(site_root):
    """Pages of graded relevance for 古筝/职工; most of the best matches for 古筝 are unpublished."""
    index = NewsIndexPageFactory(parent=site_root)
    made = []
    for n in range(60):
        title = "古筝" if n % 2 == 0 else f"{'古筝' if n % 3 else '二胡'}培训班{'暑期少儿兴趣班招生' * (n % 5)}第{n}期"
        lead = "职工学校开展古筝送教上门。" * (n % 3)
        page = NewsPageFactory(parent=index, title=title, slug=f"r{n}", lead=lead)
        if n % 2 == 0 and n < 56:
            page.unpublish()
        made.append(page)
    return made


def _slices(query, operator="or"):
    from home.models import NewsPage

    results = NewsPage.objects.live().search(query, operator=operator).annotate_score("_score")
    return [[(p.pk, round(p._score, 6)) for p in results[a:b]] for a, b in ((0, 5), (0, 10), (7, 20), (0, 300))]


@pytest.mark.parametrize("query", ["古筝", "古筝 职工", "二胡 培训班", "送教"])
def test_bounded_search_has_the_full_ranking_order_and_scores(ranked_pages, query):
    """A slice (ranked on the index entries alone) equals the same slice of the full, unsliced ranking."""
    from home.models import NewsPage

    full = NewsPage.objects.live().search(query, operator="or").annotate_score("_score")
    everything = [(p.pk, round(p._score, 6)) for p in full]
    assert everything, "the fixture must match something"
    assert _slices(query) == [everything[0:5], everything[0:10], everything[7:20], everything[0:300]]
    assert {pk for pk, _score in everything} <= set(NewsPage.objects.live().values_list("pk", flat=True))
    scores = [score for _pk, score in everything]
    assert scores == sorted(scores, reverse=True)


def test_bounded_search_looks_past_excluded_candidates(ranked_pages):
    """The 28 best matches for 古筝 are unpublished: the candidate window (25 for `[:5]`) has to grow."""
    from home.models import NewsPage

    assert NewsPage.objects.filter(title="古筝", live=False).count() == 28
    found = [p.pk for p in NewsPage.objects.live().search("古筝")[:5]]
    assert len(found) == 5
    assert found == [p.pk for p in NewsPage.objects.live().search("古筝")][:5]


@pytest.mark.postgres
@pytest.mark.parametrize("cap", [25, 30])
def test_postgres_bounded_search_falls_back_to_one_joined_query(ranked_pages, monkeypatch, cap):
    """Past MAX_CANDIDATES ids (here 25: five wanted, 28 excluded), the queryset is applied in SQL instead."""
    from home.models import NewsPage
    from search.backends import database

    def search():
        return [p.pk for p in NewsPage.objects.live().search("古筝")[:5]]

    expected = search()
    monkeypatch.setattr(database, "MAX_CANDIDATES", cap)
    with CaptureQueriesContext(connection) as queries:
        assert search() == expected
    assert any("INNER JOIN" in q["sql"] and "ts_rank" in q["sql"] for q in queries.captured_queries)


@pytest.mark.postgres
def test_postgres_search_names_the_text_search_configuration(pages):
    """`to_tsquery(config, text)` is planned as a constant; `to_tsquery(text)` is re-run for every row."""
    from search.backends.database import _default_text_search_config

    with connection.cursor() as cursor:
        cursor.execute("SHOW default_text_search_config")
        assert _default_text_search_config(connection.alias) == cursor.fetchone()[0]
    with CaptureQueriesContext(connection) as queries:
        assert titles("拔河")[:1] == [TITLES["tug"]]
    ranked = [q["sql"] for q in queries.captured_queries if "ts_rank" in q["sql"]]
    assert ranked and all("::regconfig" in sql for sql in ranked)


@pytest.mark.postgres
def test_postgres_ranking_computes_the_text_rank_once_per_row(pages):
    """`r / (1 + r)` written `1 - 1 / (1 + r)`: two ts_rank calls per row (title, body), not four."""
    with CaptureQueriesContext(connection) as queries:
        assert titles("职工 拔河")[:1] == [TITLES["tug"]]
    ranked = [q["sql"] for q in queries.captured_queries if "ts_rank" in q["sql"]]
    assert ranked and all(sql.count("ts_rank(") == 2 for sql in ranked)


@pytest.mark.postgres
def test_postgres_rebuild_settles_the_index_table(pages):
    """`update_index` ends by merging GIN's pending entries and refreshing the planner's statistics."""
    from django.core.management import call_command

    with CaptureQueriesContext(connection) as queries:
        call_command("update_index", verbosity=0)
    statements = [q["sql"] for q in queries.captured_queries]
    settle = [n for n, sql in enumerate(statements) if "gin_clean_pending_list" in sql or sql.startswith("ANALYZE")]
    assert len(settle) == 2
    assert not any("INSERT INTO" in sql for sql in statements[settle[0] :])  # after the last write
    assert titles("拔河")[:1] == [TITLES["tug"]]


# --- The ranking and promotions are cached: what a worker shows when it missed the change -------------------


@pytest.fixture
def bookroom(site_root):
    index = NewsIndexPageFactory(parent=site_root, slug="news")
    page = NewsPageFactory(parent=index, title="职工书屋免费开放", slug="shuwu", lead="")
    page.save_revision().publish()
    return page


def _shows(client, text, query="书屋"):
    return text in client.get("/search/", {"q": query}).text


@pytest.mark.parametrize("change", ["unpublish", "private"])
def test_a_page_unpublished_or_made_private_leaves_results_even_where_the_cache_missed_it(client, bookroom, change):
    """A worker without the shared cache (or a change made by cron's process) keeps the cached ranking:
    the cards are still checked live and public, so the page does not come back."""
    from unittest import mock

    from wagtail.models import PageViewRestriction

    assert _shows(client, "/news/shuwu/")
    with mock.patch("search.services.forget_ranked_results"):
        if change == "unpublish":
            bookroom.unpublish()
        else:
            PageViewRestriction.objects.create(page=bookroom, restriction_type="login")
    assert not _shows(client, "/news/shuwu/")


def test_a_promoted_page_made_private_or_unpublished_is_no_longer_promoted(client, bookroom):
    from unittest import mock

    from wagtail.contrib.search_promotions.models import Query, SearchPromotion
    from wagtail.models import PageViewRestriction

    secret = NewsPageFactory(parent=bookroom.get_parent(), title="内部通知名单", slug="neibu", lead="")
    notice = NewsPageFactory(parent=bookroom.get_parent(), title="暑期开放时间", slug="kaifang", lead="")
    for n, page in enumerate((secret, notice)):
        page.save_revision().publish()
        SearchPromotion.objects.create(query=Query.get("书屋"), page=page, sort_order=n)
    assert _shows(client, "内部通知名单") and _shows(client, "暑期开放时间")
    PageViewRestriction.objects.create(page=secret, restriction_type="login")
    assert not _shows(client, "内部通知名单")
    with mock.patch("search.services.forget_ranked_results"):
        notice.unpublish()
    assert not _shows(client, "暑期开放时间")
