"""Search quality and latency on 10,000 Chinese documents: recall@10, MRR, p50/p99 per query set.

    .venv/bin/python bench/search_bench.py [--docs 10000] [--repeat 3] [--stock]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/haining .venv/bin/python bench/search_bench.py

Builds a throwaway test database (SQLite in memory, or `test_<name>` on the PostgreSQL server named by
DATABASE_URL), fills it with news pages generated from the vocabulary of the union's work report
(towns, activities, classes, services), indexes them, then runs the query sets below the way the site
search does (all words first; any word when no page has all of them).

Query sets (fixed random seed):
- vocabulary: words and word pairs from the generators' vocabulary;
- title words: words sampled from random page titles with jieba's search-mode segmentation (words
  inside longer words included: 海宁 from 海宁市, 拔河 from 拔河比赛);
- multi-word: two or three such words from one title, separated by spaces;
- traditional: the title words and multi-word queries written in traditional characters (OpenCC s2t);
- full-width: Latin letters and digits typed in full-width form (ＣＡＤ, the page number １２３４).

Relevance is decided by an oracle that knows nothing about segmentation: a page is relevant to a query
when its title contains every word of the query (split on spaces), compared in the canonical form a
reader would accept as the same text (NFKC, lower case, simplified characters). recall@10 is the share of
relevant pages in the top 10, out of min(10, number relevant); MRR is the mean of 1/rank of the first
relevant page. `--stock` also runs Wagtail's stock database backend (no segmentation) as the baseline.
Latency is wall-clock time; the CPU time this process spent is printed next to it, which on SQLite (in
process) is the latency without other load on the machine (on PostgreSQL the server's work is not in it).
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TOWNS = [
    "盐官镇",
    "马桥街道",
    "斜桥镇",
    "袁花镇",
    "长安镇",
    "海昌街道",
    "丁桥镇",
    "周王庙镇",
    "黄湾镇",
    "许村镇",
    "硖石街道",
    "海洲街道",
    "高新区",
    "经编园区",
]
ACTIVITIES = [
    "职工拔河比赛",
    "企业职工排舞大赛",
    "职工书画展",
    "职工摄影艺术展",
    "职工技能比武",
    "一对一冬送温暖活动",
    "职工医疗互助参保",
    "劳动法律宣传月",
    "职工书屋开放日",
    "职工足球赛",
    "职工围棋比赛",
    "趣味游园活动",
    "送电影下企业",
    "送演出下基层",
    "千幅春联送职工",
    "金秋助学",
    "爱心透析帮扶",
    "安康杯竞赛",
    "工资集体协商推进会",
    "厂务公开民主管理现场会",
]
COURSES = [
    "古筝",
    "电子琴",
    "二胡",
    "少儿舞蹈",
    "书画",
    "围棋",
    "机器人",
    "少儿英语",
    "跆拳道",
    "拉丁舞",
    "电焊工",
    "管道工",
    "服装缝纫",
    "沙发缝制",
    "服装打样",
    "汽车维修",
    "育婴师",
    "蔬菜加工",
    "商品营业员",
    "餐厅服务员",
    "绿化花卉工",
    "CAD制图",
    "计算机基础",
]
TERMS = ["2026年春季", "2026年暑期", "2026年秋季", "2027年寒假", "2027年春季", "2027年暑期"]
SENTENCES = [
    "海宁市总工会牢牢把握改革发展的时代主题，引领职工助推改革、服务发展。",
    "市工人文化宫发挥软硬件优势，举办公益文化活动。",
    "职工学校以主阵地开展免费送教上门，培训职工一万余人次。",
    "可容纳五百个座位的职工剧场为企业和单位提供比赛、会议、活动等服务。",
    "工会干部深入企业车间，收集和反映职工民意民声。",
    "活动吸引了周边大量外来职工和青少年，每月活动人数近两千人。",
    "通过片区化管理和站点式服务，破解服务职工最后一公里问题。",
    "利用12351职工服务热线、职工服务中心、工会网站等平台，为职工提供法律服务。",
]


def build_titles(count: int, rnd: random.Random) -> list[tuple[str, str]]:
    docs = []
    for n in range(count):
        kind = n % 3
        if kind == 0:
            title = f"{rnd.choice(TOWNS)}总工会举办{rnd.choice(ACTIVITIES)}"
        elif kind == 1:
            title = f"{rnd.choice(TERMS)}{rnd.choice(COURSES)}培训班开始报名"
        else:
            title = (
                f"{rnd.choice(TOWNS)}{rnd.choice(['职工服务站', '工会服务点', '职工之家'])}开展{rnd.choice(ACTIVITIES)}"
            )
        body = "".join(rnd.sample(SENTENCES, 3))
        docs.append((f"{title}（{n}）", body))
    return docs


QUERIES = (
    [
        "拔河",
        "排舞",
        "书画展",
        "摄影",
        "技能比武",
        "送温暖",
        "医疗互助",
        "法律宣传",
        "职工书屋",
        "足球",
        "围棋",
        "游园",
        "送电影",
        "春联",
        "助学",
        "透析",
        "安康杯",
        "集体协商",
        "厂务公开",
    ]
    + [
        "古筝",
        "电子琴",
        "二胡",
        "舞蹈",
        "书画",
        "机器人",
        "英语",
        "跆拳道",
        "拉丁舞",
        "电焊工",
        "管道工",
        "缝纫",
        "沙发",
        "打样",
        "汽车维修",
        "育婴师",
        "蔬菜加工",
        "营业员",
        "餐厅服务员",
        "花卉",
        "CAD",
        "计算机",
    ]
    + [
        "盐官镇 拔河",
        "马桥街道 排舞",
        "斜桥镇 送温暖",
        "袁花镇 足球",
        "古筝 暑期",
        "电焊工 春季",
        "CAD 培训",
        "2027 暑期",
        "2026 秋季 围棋",
        "寒假 机器人",
        "职工之家 书屋",
        "高新区 技能比武",
        "育婴师 报名",
        "海洲街道 职工服务站",
        "培训班",
        "总工会",
    ]
)


def canonical(text: str) -> str:
    """What a reader accepts as the same text: NFKC (full-width → ASCII), lower case, simplified."""
    from search.segmentation import normalise

    return normalise(text)


def oracle(query: str, titles: dict[int, str]) -> set[int]:
    words = [canonical(w) for w in query.split()]
    return {pk for pk, title in titles.items() if all(w in canonical(title) for w in words)}


def _title_words(title: str) -> list[str]:
    import rjieba

    body = title.split("（")[0]  # not the page number
    return [w for w in dict.fromkeys(rjieba.cut_for_search(body)) if len(w) >= 2 and not w.isdigit()]


def query_sets(titles: dict[int, str], rnd: random.Random) -> dict[str, list[str]]:
    """The query sets described in the module docstring, drawn from the generated titles."""
    import opencc

    to_traditional = opencc.OpenCC("s2t").convert
    pool = sorted(titles.values())
    title_words, multi = [], []
    while len(title_words) < 60:
        words = _title_words(rnd.choice(pool))
        word = rnd.choice(words)
        if word not in title_words:
            title_words.append(word)
    while len(multi) < 40:
        words = _title_words(rnd.choice(pool))
        query = " ".join(rnd.sample(words, min(len(words), rnd.choice([2, 2, 3]))))
        if " " in query and query not in multi:
            multi.append(query)
    traditional = [q for q in dict.fromkeys(to_traditional(q) for q in title_words[:30] + multi[:30]) if q]
    full_width_numbers = [str(n) for n in rnd.sample(range(1000, 10000), 20) if str(n)[:3] != "202"]
    full_width = [_full_width(q) for q in ["CAD", "cad", "CAD 制图", "Cad制图", *full_width_numbers]]
    return {
        "vocabulary": QUERIES,
        "title words": title_words,
        "multi-word": multi,
        "traditional": traditional,
        "full-width": full_width,
    }


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def evaluate(label, queries, run_query, titles, repeat):
    recalls, reciprocal_ranks, timings, cpu, empty = [], [], [], [], 0
    for query in queries[:5]:  # warm up: segmenter dictionary, database caches
        run_query(query)
    for query in queries:
        relevant = oracle(query, titles)
        if not relevant:
            continue
        for _ in range(repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            top = run_query(query)
            timings.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        hits = [pk for pk in top if pk in relevant]
        recalls.append(len(hits) / min(10, len(relevant)))
        rank = next((i for i, pk in enumerate(top, 1) if pk in relevant), None)
        reciprocal_ranks.append(1 / rank if rank else 0.0)
        empty += not top
    timings.sort()
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    print(
        f"  {label:<30} queries {len(recalls):>3}  recall@10 {statistics.mean(recalls):.3f}  "
        f"MRR {statistics.mean(reciprocal_ranks):.3f}  p50 {statistics.median(timings):6.1f} ms  "
        f"p99 {p99:6.1f} ms  no result {empty}  (this process's CPU p50 {statistics.median(cpu):5.1f} ms)"
    )
    return timings


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--stock", action="store_true", help="also run Wagtail's stock database backend")
    parser.add_argument(
        "--keepdb",
        action="store_true",
        help="keep the database for the next run and reuse it when it holds --docs pages "
        "(SQLite: var/search-bench.sqlite3, PostgreSQL: test_<name>)",
    )
    args = parser.parse_args()

    os.environ["DJANGO_SETTINGS_MODULE"] = "haining.settings.test"
    os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="haining-search-bench-"))
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    if args.keepdb and connection.vendor == "sqlite":
        path = Path(__file__).resolve().parent.parent / "var" / "search-bench.sqlite3"
        path.parent.mkdir(exist_ok=True)
        connection.settings_dict.setdefault("TEST", {})["NAME"] = str(path)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.keepdb)
    try:
        run(args, settings, connection)
    finally:
        if not args.keepdb:
            connection.creation.destroy_test_db(old_name, verbosity=0)


def run(args, settings, connection):
    from wagtail.models import Page, Site
    from wagtail.search.backends import get_search_backend

    from home.models import HomePage, NewsIndexPage, NewsPage
    from search.backends import database as segmenting

    settings.WAGTAILSEARCH_BACKENDS["default"]["AUTO_UPDATE"] = False  # index in bulk below
    kept = NewsPage.objects.count()
    if kept and kept != args.docs:
        sys.exit(f"the kept database holds {kept} pages, not {args.docs}: run once without --keepdb")
    backend = get_search_backend()
    search_index = backend.get_index_for_model(NewsPage)

    def reindex(label):
        start = time.perf_counter()
        search_index.add_model(NewsPage)
        for chunk in range(0, len(pages), 1000):
            search_index.add_items(NewsPage, pages[chunk : chunk + 1000])
        if hasattr(search_index, "analyze"):  # PostgreSQL: planner statistics, as `update_index` ends
            search_index.analyze()
        print(f"  indexed ({label}) in {time.perf_counter() - start:.1f} s")

    if kept:
        pages = list(NewsPage.objects.all())
        print(f"database: {connection.vendor}; {len(pages)} news pages kept from an earlier run (--keepdb)")
        reindex("segmented, again")  # the index as a bulk (re)index leaves it, every run
    else:
        root = Page.get_first_root_node()
        home = root.add_child(instance=HomePage(title="海宁市总工会", slug="bench-home"))
        Site.objects.update_or_create(is_default_site=True, defaults={"root_page": home, "hostname": "localhost"})
        index = home.add_child(instance=NewsIndexPage(title="工会新闻", slug="news"))
        rnd = random.Random(2026)
        start = time.perf_counter()
        for n, (title, body) in enumerate(build_titles(args.docs, rnd)):
            index.add_child(instance=NewsPage(title=title, slug=f"n{n}", lead=body))
        build_s = time.perf_counter() - start
        pages = list(NewsPage.objects.all())
        print(f"database: {connection.vendor}; {len(pages)} news pages created in {build_s:.0f} s")
        reindex("segmented")
    titles = {p.pk: p.title for p in pages}

    def run_query(query):
        """As the site search: all words first, any word when no page has all of them."""
        found = [p.pk for p in NewsPage.objects.live().search(query, operator="and")[:10]]
        if not found and len(query.split()) > 1:
            found = [p.pk for p in NewsPage.objects.live().search(query, operator="or")[:10]]
        return found

    sets = query_sets(titles, random.Random(16))
    print("this site (normalised, fine-grained index, title and coverage ranking):")
    timings = []
    for label, queries in sets.items():
        timings += evaluate(label, queries, run_query, titles, args.repeat)
    timings.sort()
    print(
        f"  {'all sets':<30} p50 {statistics.median(timings):6.1f} ms  p99 {timings[int(len(timings) * 0.99)]:6.1f} ms"
    )
    if not args.stock:
        return
    if args.keepdb:
        sys.exit("--stock rebuilds the index without segmentation: run it without --keepdb")

    segmenting.set_index_segmentation(False)
    segmenting.SegmentingSearchMixin.segment_queries = False
    backend.get_index_for_model(NewsPage).reset() if hasattr(search_index, "reset") else None
    reindex("stock")
    print("stock Wagtail database backend:")
    for label, queries in sets.items():
        evaluate(label, queries, run_query, titles, args.repeat)


if __name__ == "__main__":
    main()
