"""Demo content for the site frame, drawn from the union's work report in ../shared/seed/.

`seed(stdout)` is idempotent: every object is found by a stable key (slug, title) and updated.
Other apps add their own content through a `demo` module with `seed(home_page, stdout)`.
"""

import datetime
import hashlib
import io
import json

from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page, Site

from .demo_images import make_image_bytes
from .models import (
    HomePage,
    NavigationSettings,
    NewsCategory,
    NewsGalleryImage,
    NewsIndexPage,
    NewsPage,
    SiteContactSettings,
    SiteImage,
    StandardPage,
)


def demo_image(title: str, palette: str = "red", kind: str = "waves", description: str = "") -> SiteImage:
    """A generated picture, stored once under its title."""
    image = SiteImage.objects.filter(title=title).first()
    if image:
        return image
    data = make_image_bytes(title, palette, kind)
    name = f"demo-{hashlib.sha1(title.encode()).hexdigest()[:10]}.jpg"
    image = SiteImage(
        title=title, description=description or title, credit="示例图片", file=ImageFile(io.BytesIO(data), name=name)
    )
    image.save()
    return image


def site_qr_image(site: Site) -> SiteImage:
    """A real QR code (segno) of the site's address, stored as an image; a new one when the address changes."""
    import segno

    url = site.root_url.rstrip("/") + "/"
    title = f"网站二维码 {url}"
    image = SiteImage.objects.filter(title=title).first()
    if image:
        return image
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=10, border=4)
    name = f"qr-{hashlib.sha1(url.encode()).hexdigest()[:10]}.png"
    image = SiteImage(title=title, description=f"本站网址 {url} 的二维码", file=ImageFile(buffer, name=name))
    image.save()
    return image


def rich(*paragraphs: str) -> list:
    return [{"type": "paragraph", "value": "".join(f"<p>{p}</p>" for p in paragraphs)}]


def save_child(parent: Page, model, slug: str, **fields):
    """Create or update a published child page by slug."""
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = model(slug=slug, **fields)
        parent.add_child(instance=page)
    else:
        for name, value in fields.items():
            setattr(page, name, value)
    page.save_revision().publish()
    return model.objects.get(pk=page.pk)


CATEGORIES = [
    ("工会要闻", "yaowen"),
    ("职工服务", "fuwu"),
    ("文化活动", "wenhua"),
    ("技能培训", "peixun"),
    ("基层动态", "jiceng"),
]

# (slug, title, category slug, days ago, palette, motif, lead, paragraphs, tags)
NEWS = [
    (
        "tug-of-war",
        "海宁市总工会举办元旦职工拔河比赛",
        "wenhua",
        3,
        "red",
        "rope",
        "新年伊始，来自全市企业、机关的职工拔河队在文化宫广场同场竞技，以团结协作迎接新的一年。",
        [
            "元旦前夕，海宁市总工会在工人文化宫广场举办职工拔河比赛。各镇（街道）、产业（局）工会组队参赛，赛场上加油声此起彼伏。",
            "拔河比赛是市工人文化宫“四季缤纷”系列公益文化活动的保留项目。市总工会表示，将继续组织职工足球、围棋、排舞等群众性文体活动，丰富职工业余文化生活。",
        ],
        ["拔河", "职工文体"],
    ),
    (
        "winter-warmth",
        "海宁市总工会开展一对一冬送温暖活动",
        "fuwu",
        6,
        "orange",
        "hearts",
        "元旦春节期间，市总工会组织工会干部一对一走访困难职工家庭，把党和政府的关怀送到职工身边。",
        [
            "海宁市总工会以元旦春节走访慰问、爱心透析、金秋助学为载体，去年共帮扶困难职工605人，发放帮扶资金69.3万元。",
            "通过提供就业咨询、赠送返乡车（机）票等形式，共帮扶服务职工近万人次。设立“妈咪小屋”、征集特困职工“微心愿”、慰问千名环卫工人等做法，拓宽了工会帮扶的范围和力度。",
        ],
        ["送温暖", "困难帮扶"],
    ),
    (
        "skills-games",
        "11万名职工同台比武 职工技能运动会成果丰硕",
        "peixun",
        10,
        "blue",
        "gears",
        "以职工技能运动会为总抓手，全市组织11万名职工以企业、车间为战场显身手、亮绝活。",
        [
            "海宁市总工会分别举办了水质检测、经编、太阳能等市级技能比武27项，企业普遍开展岗位竞赛，住建局、交通局、交投集团、卫生局等工会结合实际开展了立功竞赛和服务窗口竞赛。",
            "全年技能培训职工1.1万人次，4200人实现技能晋级。一批“高技能人才创新工作室”“工人先锋号”得到表彰。",
        ],
        ["技能比武", "劳动竞赛"],
    ),
    (
        "medical-mutual-aid",
        "职工医疗互助参保突破4.3万人",
        "fuwu",
        14,
        "teal",
        "hearts",
        "作为市政府实事项目之一，职工医疗互助活动参保人数达43123人，完成率215%。",
        [
            "市总工会出台《在职工医疗互助活动实施意见》等文件，成立职工医疗互助保障协会，在职工服务中心设立“医疗互助”窗口并配备专兼职人员。",
            "目前已有264名职工获得补助，补助金额26万余元。职工可到职工服务中心“医疗互助”窗口咨询办理，或拨打12351职工服务热线。",
        ],
        ["医疗互助", "实事项目"],
    ),
    (
        "reading-room",
        "工人文化宫职工书屋免费开放",
        "wenhua",
        18,
        "gold",
        "books",
        "位于文化宫一楼职工服务中心大厅的职工书屋免费向周边职工群众开放，提供休息、阅读的场所。",
        [
            "市工人文化宫新大楼搬迁后，先后建成并免费开放了职工篮球场、职工书屋、职工剧场等一批职工文化阵地。",
            "全市去年新创建省级职工书屋7家、省级“农民工文化家园”1家。欢迎广大职工走进书屋，共享阅读时光。",
        ],
        ["职工书屋", "全民阅读"],
    ),
    (
        "reform-ideas",
        "“我为改革献一计”征集金点子48项",
        "yaowen",
        22,
        "red",
        "waves",
        "征集活动集中工青妇及社会各界智慧答好“十问海宁”，共征集建议800多项。",
        ["市总工会牵头主办的“我为改革献一计”征集活动，评选金点子等优秀建议48项，并汇编成册提供职能部门参阅。"],
        ["建言献策"],
    ),
    (
        "welding-training",
        "电焊工、管道工等培训班全年开班100余期",
        "peixun",
        26,
        "blue",
        "gears",
        "工人文化宫（职工学校）全年为60多家企业开展免费送教上门，培训职工11000人次。",
        [
            "在原有服装缝纫、沙发缝制、服装打样、汽车维修、电焊工、管道工等20多个工种培训项目的基础上，职工学校又新增了育婴师、蔬菜加工、商品营业员、餐厅服务员、绿化花卉工等培训项目。",
            "4200多名职工实现技能晋级，其中近900人获得高级证书。",
        ],
        ["职工学校", "技能培训"],
    ),
    (
        "basketball-court",
        "文化宫职工篮球场每月迎来近2000人次",
        "wenhua",
        31,
        "orange",
        "court",
        "位于文化宫广场的职工篮球场自开放以来，吸引了周边大量外来职工和青少年。",
        [
            "职工篮球场免费开放，每月活动人数近2000人。大楼内还建有4000平方米的职工健身俱乐部和1300平方米的全国青少年斯诺克训练中心。"
        ],
        ["职工健身"],
    ),
    (
        "line-dance",
        "“舞动春天最美旋律”企业职工排舞大赛举行",
        "wenhua",
        36,
        "purple",
        "notes",
        "全市企业职工排舞队齐聚职工剧场，用舞步展示新时代职工风采。",
        [
            "排舞大赛是“争当好职工、奉献中国梦”主题系列活动之一。市职工艺术团一年来为企业提供艺术辅导63次，帮助企业培育文体团队9个，486名职工接受专业舞蹈课程培训。"
        ],
        ["排舞", "职工文体"],
    ),
    (
        "piano-salon",
        "钢琴家乔安娜音乐沙龙走进职工剧场",
        "wenhua",
        41,
        "purple",
        "stage",
        "可容纳500个座位的职工剧场迎来高雅艺术，职工在家门口聆听世界级演奏。",
        ["职工剧场自开放以来，已为80多家企业和单位提供比赛、会议、活动等服务，并成功举办了20多场次的公益演出。"],
        ["职工剧场", "公益演出"],
    ),
    (
        "gaoxin-secondment",
        "高新区“工会干部上挂锻炼”机制在全省推广",
        "jiceng",
        47,
        "green",
        "waves",
        "海宁高新区总工会创新“工会干部上挂锻炼”机制，破解乡镇工会无人办事、无钱办事、无场地办事的难题。",
        [
            "该机制被省总工会列为三项试点经验之一在全省推广。海宁市总工会以需求和问题为导向，启动实施“一镇（街、区）一品”创建培育，取得初步成效。"
        ],
        ["一镇一品"],
    ),
    (
        "rights-studio",
        "“路大姐、沈大哥”维权工作室成为职工“代言人”",
        "jiceng",
        53,
        "teal",
        "hearts",
        "经发区总工会以工会主席姓氏命名维权工作室，为园区职工提供劳资纠纷调解、困难职工帮扶等服务。",
        ["工作室以“及早”“自觉”“亲近”为特色，构筑起维稳的“第一道防线”，成了职工信赖、企业认可的亲民工作室。"],
        ["维权服务"],
    ),
    (
        "yanguan-grid",
        "盐官镇片区化管理打造区域化工建“盐官样本”",
        "jiceng",
        60,
        "green",
        "court",
        "全镇141个工会企事业划为6个片区，每个片区设立区域工作站。",
        [
            "服务点将工会服务窗口移至一线，为全镇职工开展家电维修、免费健康咨询等10多项服务项目，有效破解服务职工“最后一公里”问题。"
        ],
        ["一镇一品"],
    ),
    (
        "law-month",
        "“工会法律服务在你身边”劳动法律宣传月启动",
        "fuwu",
        66,
        "red",
        "waves",
        "组织劳动法律专家及志愿者开展法律宣传咨询活动不少于10场，联合开展“12·4宪法日”广场宣传。",
        ["职工可通过“12351”职工服务热线、职工服务中心、工会网站等平台获得法律服务和免费法律援助。"],
        ["法律援助", "12351"],
    ),
]


@transaction.atomic
def seed(stdout=None) -> HomePage:
    say = stdout.write if stdout else (lambda *_: None)
    root = Page.get_first_root_node()
    home = HomePage.objects.first()
    hero = demo_image("工人文化宫广场", "red", "waves", "海宁市工人文化宫广场")
    if home is None:
        home = HomePage(title="海宁市总工会", slug="home-haining", hero_title="职工之家 · 娘家人")
        root.add_child(instance=home)
        say("  created the home page")
    home.hero_title = "建好职工信赖的“职工之家”"
    home.hero_text = "海宁市总工会、海宁市工人文化宫：工会新闻、文化活动、培训课程与职工服务，一站办理。"
    home.hero_image = hero
    home.seo_title = "海宁市总工会 · 海宁市工人文化宫"
    home.search_description = (
        "海宁市总工会、海宁市工人文化宫官方网站：工会新闻、文化活动日历、少儿兴趣班与职工技能培训报名、职工服务。"
    )
    home.quick_links = json.dumps(
        [
            {
                "type": "link",
                "value": {
                    "title": "12351 职工服务热线",
                    "description": "维权咨询 · 法律援助",
                    "icon": "phone",
                    "link": {"page": None, "url": "tel:12351"},
                },
            },
            {
                "type": "link",
                "value": {
                    "title": "职工服务中心",
                    "description": "一楼大厅 · 窗口办理",
                    "icon": "help",
                    "link": {"page": None, "url": "/services/"},
                },
            },
            {
                "type": "link",
                "value": {
                    "title": "医疗互助",
                    "description": "参保 · 补助申请",
                    "icon": "health",
                    "link": {"page": None, "url": "/services/#medical"},
                },
            },
            {
                "type": "link",
                "value": {
                    "title": "职工书屋",
                    "description": "免费开放",
                    "icon": "book",
                    "link": {"page": None, "url": "/services/#reading"},
                },
            },
        ]
    )
    home.save_revision().publish()
    home = HomePage.objects.get(pk=home.pk)

    site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    if site is None:
        site = Site.objects.create(
            hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="海宁市总工会"
        )
    elif site.root_page_id != home.pk or site.site_name != "海宁市总工会":
        site.root_page = home
        site.site_name = "海宁市总工会"
        site.save()
    # Wagtail's placeholder welcome page is not part of our site.
    Page.objects.filter(depth=2, content_type__model="page", slug="home").exclude(pk=home.pk).delete()

    categories = {}
    for order, (name, slug) in enumerate(CATEGORIES):
        categories[slug], _ = NewsCategory.objects.update_or_create(
            slug=slug, defaults={"name": name, "sort_order": order}
        )

    news_index = save_child(
        home,
        NewsIndexPage,
        "news",
        title="工会新闻",
        show_in_menus=True,
        intro="海宁市总工会和海宁市工人文化宫的工作动态、通知公告与基层风采。",
    )
    today = timezone.localdate()
    for slug, title, cat, days, palette, motif, lead, paragraphs, tags in NEWS:
        cover = demo_image(title, palette, motif)
        body = rich(*paragraphs)
        if slug == "medical-mutual-aid":
            body.append(
                {
                    "type": "table",
                    "value": {
                        "first_row_is_table_header": True,
                        "first_col_is_header": False,
                        "table_caption": "职工医疗互助主要数据",
                        "data": [
                            ["项目", "数据"],
                            ["参保职工", "43123 人"],
                            ["完成率", "215%"],
                            ["获补助职工", "264 人"],
                            ["补助金额", "26 万余元"],
                        ],
                    },
                }
            )
        if slug == "reform-ideas":
            body.append(
                {
                    "type": "quote",
                    "value": {
                        "text": "工会工作要主动融入中心服务大局，同时要结合实际不断创新。",
                        "attribution": "海宁市总工会主席 王金法",
                    },
                }
            )
        if slug == "welding-training":
            body.append(
                {
                    "type": "call_to_action",
                    "value": {
                        "title": "想学一门手艺？",
                        "text": "职工技能培训免费报名，名额有限。",
                        "button_text": "查看培训课程",
                        "link": {"page": None, "url": "/courses/"},
                    },
                }
            )
        page = save_child(
            news_index,
            NewsPage,
            slug,
            title=title,
            date=today - datetime.timedelta(days=days),
            category=categories[cat],
            lead=lead,
            cover_image=cover,
            body=json.dumps(body),
            author="海宁市总工会",
        )
        page.tags.set(tags)
        if slug == "tug-of-war" and not page.gallery_images.exists():
            for i, caption in enumerate(["赛前热身", "决赛对决", "颁奖时刻"]):
                page.gallery_images.add(
                    NewsGalleryImage(image=demo_image(f"拔河比赛图集 {i + 1}", "red", "rope"), caption=caption)
                )
        page.save_revision().publish()
    say(f"  news: {NewsPage.objects.count()} items")

    save_child(
        home,
        StandardPage,
        "services",
        title="职工服务",
        show_in_menus=True,
        intro="工会是职工的“娘家人”。职工服务中心设在工人文化宫一楼大厅，提供维权、帮扶、医疗互助等服务。",
        body=json.dumps(
            rich(
                "<b>12351 职工服务热线</b>：劳动法律咨询、维权投诉、困难帮扶求助。",
                '<a id="medical"></a><b>职工医疗互助</b>：在职工服务中心“医疗互助”窗口办理参保和补助申请。',
                '<a id="reading"></a><b>职工书屋</b>：一楼职工服务中心大厅，免费开放，提供休息和阅读场所。',
                "<b>法律援助</b>：为职工提供免费法律援助，综合运用矛盾排查、劳动争议调处、劳动仲裁等手段维护职工合法权益。",
            )
        ),
    )
    about = save_child(
        home,
        StandardPage,
        "about",
        title="关于我们",
        show_in_menus=True,
        intro="海宁市总工会以建设全省领先的“服务型、创新性、实力型”工会为己任。",
        body=json.dumps(
            rich(
                "海宁市总工会突出“建功立业、依法治会、维权帮扶、基层工会建设”四项主业责，全力以赴建好职工信赖的“职工之家”，真情实意地当好职工的“娘家人”。",
                "全市累计建立工会组织2567家（涵盖单位9880家），会员316798人。",
            )
        ),
    )
    save_child(
        about,
        StandardPage,
        "palace",
        title="海宁市工人文化宫",
        show_in_menus=True,
        intro="职工的“学校和乐园”：全国职工教育培训优秀示范点、浙江省“作用发挥好”工人文化宫。",
        body=json.dumps(
            rich(
                "文化宫大楼建有职工篮球场、职工书屋、可容纳500个座位的职工剧场、4000平方米的职工健身俱乐部和1300平方米的全国青少年斯诺克训练中心。",
                "职工学校开设服装缝纫、沙发缝制、汽车维修、电焊工、管道工、育婴师等20多个工种的培训项目，并举办春、夏、秋季中小学文化兴趣班。",
            )
            + [{"type": "image", "value": {"image": hero.pk, "caption": "工人文化宫广场"}}]
        ),
    )
    save_child(
        about,
        StandardPage,
        "contact",
        title="联系我们",
        show_in_menus=True,
        intro="欢迎来电来访。",
        body=json.dumps(
            rich(
                "地址：浙江省海宁市海洲街道工人路 1 号（海宁市工人文化宫）",
                "职工服务热线：12351　　办公电话：0573-8700 0000（示例）",
            )
        ),
    )

    contact = SiteContactSettings.for_site(site)
    contact.organisation = "海宁市总工会 · 海宁市工人文化宫"
    contact.address = "浙江省海宁市海洲街道工人路 1 号（示例地址）"
    contact.hotline = "12351"
    contact.phone = "0573-8700 0000"
    contact.opening_hours = "职工服务中心：周一至周五 8:30–17:00\n职工书屋：每天 9:00–20:00"
    contact.wechat_name = "用手机扫码打开本站"
    contact.wechat_qr = site_qr_image(site)
    contact.icp_number = "浙ICP备00000000号（示例）"
    contact.footer_links = json.dumps(
        [
            {"type": "link", "value": {"label": "关于我们", "link": {"page": about.pk, "url": ""}}},
            {
                "type": "link",
                "value": {"label": "浙江省总工会", "link": {"page": None, "url": "https://www.zjftu.org/"}},
            },
            {
                "type": "link",
                "value": {"label": "中华全国总工会", "link": {"page": None, "url": "https://www.acftu.org/"}},
            },
        ]
    )
    contact.save()
    return home


MENU_ORDER = ["news", "activities", "courses", "services", "about"]


def build_navigation(home: HomePage) -> None:
    """Main navigation from the home page's menu children, in the order visitors expect."""
    site = home.get_site() or Site.objects.get(is_default_site=True)
    children = list(home.get_children().live().in_menu())
    children.sort(key=lambda p: MENU_ORDER.index(p.slug) if p.slug in MENU_ORDER else len(MENU_ORDER))
    nav = NavigationSettings.for_site(site)
    nav.main_navigation = json.dumps(
        [{"type": "item", "value": {"label": "", "link": {"page": p.pk, "url": ""}}} for p in children]
    )
    nav.save()
