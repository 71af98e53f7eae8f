"""Demo season for the event calendar, from the work report's 四季缤纷 programme.

Dates are relative to the day the command runs (events ahead, a few behind for the archive): a weekly
film series with one cancelled and one sold-out Saturday, exhibitions running for weeks, lectures such
as 茶是养心的, a piano salon in the 500-seat staff theatre, football and go contests, one event
cancelled and one moved to a new date, and a dawn walk at 06:30 that must stay on its own day.
"""

import datetime

from django.utils import timezone

from home.demo import demo_image, rich

from .models import EventCategory, EventDate, EventDateChange, EventIndexPage, EventPage, Venue

CATEGORIES = [
    ("演出", "performance"),
    ("展览", "exhibition"),
    ("电影", "film"),
    ("赛事", "contest"),
    ("讲座", "lecture"),
    ("培训", "training"),
    ("亲子", "family"),
]

VENUES = {
    "theatre": ("工人文化宫", "职工剧场", 500, "剧场设无障碍座位 6 个，请提前告知服务台"),
    "hall": ("工人文化宫", "底楼展厅", 200, "展厅位于一楼，无台阶，可轮椅通行"),
    "square": ("工人文化宫", "文化宫广场", 2000, ""),
    "library": ("工人文化宫", "一楼职工书屋", 60, "书屋位于一楼，设无障碍通道"),
    "lecture": ("工人文化宫", "四楼报告厅", 180, "电梯直达四楼"),
    "court": ("工人文化宫", "职工篮球场", 300, ""),
    "football": ("海宁市体育中心", "五人制足球场", 200, ""),
}


def _next_weekday(day: datetime.date, weekday: int) -> datetime.date:
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)


def seed(home, stdout=None):
    say = stdout.write if stdout else (lambda *_: None)
    today = timezone.localdate()
    categories = {}
    for order, (name, slug) in enumerate(CATEGORIES):
        categories[slug], _ = EventCategory.objects.update_or_create(
            slug=slug, defaults={"name": name, "sort_order": order}
        )
    venues = {}
    for key, (name, room, capacity, access) in VENUES.items():
        venues[key], _ = Venue.objects.update_or_create(
            name=name,
            room=room,
            defaults={
                "address": "海宁市工人路 1 号（示例）" if name == "工人文化宫" else "海宁市文苑南路（示例）",
                "capacity": capacity,
                "accessibility": access,
                "map_url": "https://uri.amap.com/search?keyword="
                + ("海宁市工人文化宫" if name == "工人文化宫" else name),
            },
        )

    index = EventIndexPage.objects.child_of(home).first()
    if index is None:
        index = EventIndexPage(
            title="文化活动",
            slug="activities",
            show_in_menus=True,
            intro="工人文化宫“四季缤纷”公益文化活动：演出、展览、电影、赛事和公益讲座，大多免费向职工和市民开放。",
        )
        home.add_child(instance=index)
        index.save_revision().publish()

    saturday = _next_weekday(today + datetime.timedelta(days=3), 5)
    sunday = saturday + datetime.timedelta(days=1)
    month_start = today.replace(day=1)
    new_year = datetime.date(today.year + (1 if today.month >= 2 else 0), 1, 1)
    t = datetime.time

    events = [
        dict(
            slug="new-year-tug-of-war",
            title="元旦职工拔河比赛",
            category="contest",
            venue="square",
            palette="red",
            kind="rope",
            summary="各镇（街道）、产业（局）工会组队参赛，以团结协作迎接新的一年。欢迎职工群众到场加油。",
            audience="全市职工（以工会为单位报名参赛）",
            booking_note="参赛队伍请于比赛前一周向市总工会文体部报名",
            dates=[dict(start_date=new_year - datetime.timedelta(days=2), start_time=t(9, 0), end_time=t(11, 30))],
        ),
        dict(
            slug="new-year-dawn-walk",
            title="元旦迎新健步走",
            category="contest",
            venue="square",
            palette="orange",
            kind="waves",
            summary="新年第一天清晨，从文化宫广场出发，沿鹃湖健步走 5 公里，迎接新年第一缕阳光。",
            audience="全市职工及家属",
            dates=[dict(start_date=new_year, start_time=t(6, 30), end_time=t(8, 0))],
        ),
        dict(
            slug="weekly-films",
            title="周末职工电影放映",
            category="film",
            venue="theatre",
            palette="purple",
            kind="stage",
            summary="每周六晚在职工剧场免费放映一部新片或经典影片，凭工会会员证或身份证领票入场。",
            audience="全市职工及家属",
            booking_note="放映当天 18:00 起在剧场门口领票，每人限领 2 张",
            dates=[
                dict(
                    start_date=saturday,
                    start_time=t(19, 0),
                    end_time=t(21, 0),
                    repeat="weekly",
                    weekdays="5",
                    repeat_until=saturday + datetime.timedelta(weeks=13),
                )
            ],
            changes=[
                dict(date=saturday + datetime.timedelta(weeks=2), kind="sold_out", note="本场为贺岁片，门票已领完"),
                dict(date=saturday + datetime.timedelta(weeks=5), kind="cancelled", note="剧场检修，本周暂停放映"),
            ],
        ),
        dict(
            slug="calligraphy-exhibition",
            title="职工书画作品展",
            category="exhibition",
            venue="hall",
            palette="gold",
            kind="books",
            summary="展出“争当好职工、奉献中国梦”主题征集的职工书法、国画作品一百余幅。",
            audience="所有市民",
            dates=[dict(start_date=month_start, end_date=month_start + datetime.timedelta(days=40))],
        ),
        dict(
            slug="smiles-photo-exhibition",
            title="“劳动者最美笑脸”摄影艺术展",
            category="exhibition",
            venue="hall",
            palette="teal",
            kind="waves",
            summary="从“寻找劳动者最美笑脸”随手拍活动征集的作品中精选 80 幅，记录劳动者的笑容。",
            audience="所有市民",
            dates=[
                dict(
                    start_date=month_start + datetime.timedelta(days=45),
                    end_date=month_start + datetime.timedelta(days=70),
                )
            ],
        ),
        dict(
            slug="tea-lecture",
            title="公益讲座：茶是养心的",
            category="lecture",
            venue="library",
            palette="green",
            kind="books",
            summary="茶艺老师讲解绿茶、红茶的冲泡与品鉴，现场体验茶艺。职工书屋“书香+”公益讲座系列。",
            audience="全市职工，限 60 人",
            booking_note="请拨打 12351 预约座位",
            dates=[dict(start_date=saturday + datetime.timedelta(days=7), start_time=t(14, 0), end_time=t(16, 0))],
        ),
        dict(
            slug="smart-mum-lecture",
            title="“智慧妈妈育儿”公益讲座",
            category="family",
            venue="lecture",
            palette="orange",
            kind="hearts",
            summary="儿科医生和育婴师讲解 0–6 岁儿童的营养、睡眠与早期阅读，现场答疑。",
            audience="孕期及 0–6 岁儿童家长",
            dates=[dict(start_date=sunday + datetime.timedelta(days=7), start_time=t(9, 30), end_time=t(11, 0))],
        ),
        dict(
            slug="piano-salon",
            title="钢琴音乐沙龙",
            category="performance",
            venue="theatre",
            palette="blue",
            kind="notes",
            summary="在 500 座职工剧场举办的公益钢琴音乐会，演奏肖邦、德彪西和中国钢琴作品。",
            audience="全市职工及家属，建议 6 岁以上",
            booking_note="免费领票：演出前一周起在文化宫一楼服务台领取",
            status="sold_out",
            status_note="门票已全部领完，现场不设补票",
            dates=[dict(start_date=saturday + datetime.timedelta(days=20), start_time=t(19, 30), end_time=t(21, 0))],
        ),
        dict(
            slug="football-league",
            title="职工五人制足球联赛",
            category="contest",
            venue="football",
            palette="green",
            kind="court",
            summary="十六支企业职工队分组循环赛，每周日上午开赛，欢迎到场观赛。",
            audience="企业职工（以工会为单位报名）",
            dates=[
                dict(
                    start_date=sunday,
                    start_time=t(9, 0),
                    end_time=t(12, 0),
                    repeat="weekly",
                    weekdays="6",
                    repeat_until=sunday + datetime.timedelta(weeks=6),
                )
            ],
        ),
        dict(
            slug="go-contest",
            title="职工围棋比赛",
            category="contest",
            venue="lecture",
            palette="blue",
            kind="waves",
            summary="两天七轮瑞士制比赛，分职工组和职工子女组。",
            audience="职工及其子女",
            price="报名费 30 元",
            dates=[
                dict(
                    start_date=saturday + datetime.timedelta(days=35),
                    end_date=saturday + datetime.timedelta(days=36),
                    start_time=t(9, 0),
                    end_time=t(17, 0),
                )
            ],
        ),
        dict(
            slug="line-dance-contest",
            title="“舞动春天最美旋律”企业职工排舞大赛",
            category="contest",
            venue="court",
            palette="red",
            kind="stage",
            summary="企业职工排舞队同场比拼，设一、二、三等奖和最佳编排奖。",
            audience="企业职工排舞队",
            dates=[dict(start_date=saturday + datetime.timedelta(days=14), start_time=t(14, 0), end_time=t(17, 0))],
            changes=[
                dict(
                    date=saturday + datetime.timedelta(days=14),
                    kind="moved",
                    new_date=saturday + datetime.timedelta(days=28),
                    note="因篮球场地面翻新改期，报名有效",
                )
            ],
        ),
        dict(
            slug="paper-cutting",
            title="亲子剪纸体验课",
            category="family",
            venue="library",
            palette="red",
            kind="hearts",
            summary="非遗剪纸老师带领家长和孩子一起剪窗花、贴福字，材料免费提供。",
            audience="5–12 岁儿童及家长",
            booking_note="每场限 20 组家庭，请拨打 12351 预约",
            dates=[
                dict(
                    start_date=saturday + datetime.timedelta(days=21),
                    start_time=t(14, 0),
                    end_time=t(15, 30),
                    repeat="weekly",
                    weekdays="56",
                    repeat_until=saturday + datetime.timedelta(days=36),
                )
            ],
            changes=[
                dict(date=saturday + datetime.timedelta(days=29), kind="postponed", note="老师临时有事，新时间另行通知")
            ],
        ),
        dict(
            slug="couplets",
            title="千幅春联福字送职工",
            category="performance",
            venue="square",
            palette="gold",
            kind="waves",
            summary="市书法家协会会员现场书写春联、福字，免费赠送给职工群众。",
            audience="所有市民",
            dates=[dict(start_date=saturday + datetime.timedelta(days=42), start_time=t(9, 0), end_time=t(11, 30))],
        ),
        dict(
            slug="touring-show-xucun",
            title="送演出进企业（许村镇）",
            category="performance",
            venue=None,
            palette="purple",
            kind="stage",
            summary="市职工艺术团走进许村镇经编企业，为一线职工送上歌舞、小品和越剧表演。",
            audience="许村镇企业职工",
            status="cancelled",
            status_note="因寒潮天气取消，将另行安排",
            dates=[dict(start_date=saturday + datetime.timedelta(days=5), start_time=t(18, 30), end_time=t(20, 0))],
        ),
        dict(
            slug="red-film-journey",
            title="十月广场红色电影之旅",
            category="film",
            venue="square",
            palette="red",
            kind="stage",
            summary="国庆期间每晚在文化宫广场露天放映经典红色影片。",
            audience="所有市民",
            dates=[
                dict(
                    start_date=today - datetime.timedelta(days=50),
                    start_time=t(19, 0),
                    end_time=t(21, 0),
                    repeat="daily",
                    repeat_until=today - datetime.timedelta(days=44),
                )
            ],
        ),
        dict(
            slug="new-residents-talent-show",
            title="企业新居民才艺大赛",
            category="contest",
            venue="theatre",
            palette="purple",
            kind="notes",
            summary="来自全市企业的新居民职工登台展示歌舞、器乐和曲艺才艺。",
            audience="企业新居民职工",
            dates=[dict(start_date=today - datetime.timedelta(days=16), start_time=t(19, 0), end_time=t(21, 30))],
        ),
    ]

    for spec in events:
        _save_event(index, spec, categories, venues)
    say(f"  culture: {len(events)} events, {EventIndexPage.objects.count()} calendar\n")
    return index


def _save_event(index, spec, categories, venues):
    fields = dict(
        title=spec["title"],
        category=categories[spec["category"]],
        venue=venues[spec["venue"]] if spec.get("venue") else None,
        summary=spec["summary"],
        audience=spec.get("audience", ""),
        price=spec.get("price", ""),
        booking_note=spec.get("booking_note", ""),
        status=spec.get("status", "scheduled"),
        status_note=spec.get("status_note", ""),
        cover_image=demo_image(spec["title"], spec["palette"], spec["kind"]),
        body=rich(spec["summary"], "活动由海宁市总工会主办、海宁市工人文化宫承办。如有变动，以本页面公布为准。"),
    )
    page = EventPage.objects.child_of(index).filter(slug=spec["slug"]).first()
    if page is None:
        page = EventPage(slug=spec["slug"], **fields)
    else:
        for name, value in fields.items():
            setattr(page, name, value)
    page.dates = [EventDate(**d) for d in spec["dates"]]
    page.date_changes = [EventDateChange(**c) for c in spec.get("changes", [])]
    if page.pk is None:
        index.add_child(instance=page)
    page.save_revision().publish()
