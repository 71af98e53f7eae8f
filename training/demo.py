"""Demo catalogue from the work report: a summer and an autumn term, 24 courses, enrollments via the service.

Enrollment windows are relative to the day the command runs, so there is always a course open now
(with 30 seats), one opening in the future, some full with a waitlist, and one closed.
"""

import datetime
import json
import random

from django.utils import timezone
from stdnum.cn import ric

from culture.models import Venue
from home.demo import demo_image, rich, save_child
from training.models import Audience, CourseCategory, CourseIndexPage, CoursePage, Enrollment, Teacher, Term
from training.services.enrollment import Applicant, EnrollmentError, enroll

SURNAMES = "王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = [
    "子涵",
    "欣怡",
    "梓轩",
    "一诺",
    "浩然",
    "雨桐",
    "宇轩",
    "诗涵",
    "梓涵",
    "俊杰",
    "佳怡",
    "子墨",
    "思远",
    "若曦",
    "晨阳",
    "语嫣",
    "天佑",
    "可馨",
    "明轩",
    "紫萱",
    "建国",
    "秀英",
    "志强",
    "海燕",
    "伟",
    "芳",
    "敏",
    "静",
    "丽",
    "军",
]


def demo_id_number(birth: datetime.date, seq: int, female: bool) -> str:
    """A valid 身份证 number for Haining (region code 330481) with the right check digit."""
    order = seq % 500 * 2 + (0 if female else 1)
    body = f"330481{birth:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum ignores the last character


CHILD_COURSES = [
    # title, category, age range, weekdays, start, capacity, waitlist, fee, teacher
    ("少儿古筝启蒙班", "art", (6, 12), "6", "09:00", 12, 8, 0, "沈老师"),
    ("少儿古筝提高班", "art", (8, 14), "6", "14:00", 10, 6, 0, "沈老师"),
    ("电子琴入门班", "art", (6, 12), "7", "09:00", 15, 8, 0, "陈老师"),
    ("二胡兴趣班", "art", (8, 14), "7", "14:00", 12, 6, 0, "徐老师"),
    ("少儿中国舞", "dance", (5, 10), "6", "10:30", 20, 10, 0, "林老师"),
    ("拉丁舞初级班", "dance", (6, 12), "7", "10:30", 16, 8, 600, "林老师"),
    ("少儿书法（软笔）", "calligraphy", (7, 14), "6", "09:00", 20, 10, 0, "钱老师"),
    ("少儿国画", "calligraphy", (6, 12), "7", "09:00", 18, 8, 0, "钱老师"),
    ("围棋入门", "chess", (5, 12), "6", "14:00", 20, 10, 480, "周老师"),
    ("机器人编程", "tech", (8, 14), "7", "14:00", 30, 15, 800, "吴老师"),
    ("少儿英语口语", "language", (6, 12), "6", "16:00", 20, 10, 600, "Amy 老师"),
    ("跆拳道", "sport", (5, 14), "2,4", "18:30", 25, 10, 500, "郑教练"),
]

WORKER_COURSES = [
    ("电焊工（初级）技能培训", (18, 60), "2,4", "18:30", 30, 15, "welding"),
    ("管道工技能培训", (18, 60), "1,3", "18:30", 25, 10, "pipe"),
    ("服装缝纫工培训", (18, 60), "6", "09:00", 20, 10, "sewing"),
    ("沙发缝制工培训", (18, 60), "7", "09:00", 20, 10, "sofa"),
    ("服装打样培训", (18, 60), "6", "14:00", 15, 5, "pattern"),
    ("汽车维修工培训", (18, 60), "2,4", "18:30", 20, 10, "car"),
    ("育婴师培训", (18, 55), "3,5", "18:30", 30, 15, "baby"),
    ("蔬菜加工（中式烹调基础）", (18, 60), "1", "18:30", 20, 8, "cook"),
    ("商品营业员培训", (18, 60), "3", "18:30", 30, 10, "retail"),
    ("餐厅服务员培训", (18, 60), "5", "18:30", 30, 10, "waiter"),
    ("绿化花卉工培训", (18, 60), "6", "09:00", 20, 8, "garden"),
    ("CAD 机械制图培训", (18, 55), "2,4", "19:00", 25, 10, "cad"),
]

CATEGORIES = [
    ("art", "器乐"),
    ("dance", "舞蹈"),
    ("calligraphy", "书画"),
    ("chess", "棋类"),
    ("tech", "科技"),
    ("language", "语言"),
    ("sport", "体育"),
    ("skills", "职工技能"),
]


def seed(home, stdout=None):
    say = stdout.write if stdout else (lambda *_: None)
    now = timezone.now()
    today = timezone.localdate()
    rnd = random.Random(2027)

    summer_start = datetime.date(today.year + (1 if today.month > 6 else 0), 7, 6)
    summer, _ = Term.objects.update_or_create(
        name=f"{summer_start.year} 年暑期",
        defaults=dict(
            season="summer",
            starts_on=summer_start,
            ends_on=summer_start + datetime.timedelta(weeks=6),
            enrollment_opens_at=now - datetime.timedelta(days=2),
            enrollment_closes_at=now + datetime.timedelta(days=20),
            max_courses_per_participant=2,
            age_cutoff_date=summer_start,
        ),
    )
    autumn_start = summer_start + datetime.timedelta(weeks=9)
    autumn, _ = Term.objects.update_or_create(
        name=f"{autumn_start.year} 年秋季",
        defaults=dict(
            season="autumn",
            starts_on=autumn_start,
            ends_on=autumn_start + datetime.timedelta(weeks=12),
            enrollment_opens_at=now + datetime.timedelta(days=10),
            enrollment_closes_at=now + datetime.timedelta(days=40),
            max_courses_per_participant=2,
            age_cutoff_date=autumn_start,
        ),
    )
    categories = {}
    for order, (slug, name) in enumerate(CATEGORIES):
        categories[slug], _ = CourseCategory.objects.update_or_create(
            slug=slug, defaults={"name": name, "sort_order": order}
        )

    venues = {}
    for name, room, capacity in [
        ("工人文化宫", "三楼艺术教室", 30),
        ("工人文化宫", "二楼舞蹈房", 40),
        ("职工学校", "实训车间", 30),
        ("职工学校", "多媒体教室", 40),
    ]:
        venues[room], _ = Venue.objects.get_or_create(
            name=name, room=room, defaults={"address": "海宁市工人路 1 号（示例）", "capacity": capacity}
        )

    index = CourseIndexPage.objects.child_of(home).first()
    if index is None:
        index = CourseIndexPage(
            title="培训课程",
            slug="courses",
            show_in_menus=True,
            intro="少儿春夏秋冬兴趣班与职工免费技能培训。名额有限，报名时间以课程页面为准。",
        )
        home.add_child(instance=index)
        index.save_revision().publish()

    def save_course(slug, **fields):
        return save_child(index, CoursePage, slug, **fields)

    courses = []
    for n, (title, cat, (age_min, age_max), days, start, capacity, waitlist, fee, teacher_name) in enumerate(
        CHILD_COURSES
    ):
        teacher, _ = Teacher.objects.get_or_create(name=teacher_name, defaults={"title": "文化宫特聘教师"})
        term = autumn if n % 4 == 3 else summer
        hour, minute = map(int, start.split(":"))
        courses.append(
            save_course(
                f"child-{n}",
                title=title,
                term=term,
                category=categories[cat],
                teacher=teacher,
                venue=venues["二楼舞蹈房" if cat == "dance" else "三楼艺术教室"],
                summary=f"面向 {age_min}–{age_max} 岁少儿，{'公益免费' if not fee else '小班教学'}，每周上课。",
                body=json.dumps(rich(f"{title}由文化宫教师授课，注重兴趣培养和基本功训练。学期结束举办汇报展示。")),
                weekdays=days,
                start_time=datetime.time(hour, minute),
                end_time=(datetime.datetime(2000, 1, 1, hour, minute) + datetime.timedelta(minutes=90)).time(),
                first_lesson=term.starts_on,
                last_lesson=None,
                lessons=6 * len(days.split(",")) if term == summer else 10 * len(days.split(",")),
                # Weekend classes stop on a 调休 Saturday: the children are at school that day.
                makeup_workdays="skip" if days in ("6", "7") else "weekday",
                skip_holidays=True,
                documents="学员户口簿或身份证原件（核对年龄）\n一寸照片 1 张（制作学员证）",
                payment_instructions=""
                if not fee
                else "录取后凭报名编号到工人文化宫一楼服务台缴费，可用现金、微信或支付宝扫码，当场开具收据。",
                payment_deadline=None if not fee else term.enrollment_closes_at + datetime.timedelta(days=5),
                audience=Audience.CHILDREN,
                age_min=age_min,
                age_max=age_max,
                fee=fee,
                capacity=capacity,
                waitlist_size=waitlist,
                cover_image=demo_image(
                    f"课程 {title}",
                    ["red", "gold", "purple", "teal", "blue"][n % 5],
                    ["notes", "books", "stage", "gears", "waves"][n % 5],
                ),
            )
        )
    for n, (title, (age_min, age_max), days, start, capacity, waitlist, slug) in enumerate(WORKER_COURSES):
        hour, minute = map(int, start.split(":"))
        term = autumn if n % 5 == 4 else summer
        courses.append(
            save_course(
                f"skills-{slug}",
                title=title,
                term=term,
                category=categories["skills"],
                venue=venues["实训车间" if n % 2 == 0 else "多媒体教室"],
                summary="职工免费技能培训，结业可参加相应工种技能等级认定。",
                body=json.dumps(
                    rich(
                        "职工学校公益培训项目，由行业师傅和专业教师授课，理论与实操结合。",
                        "欢迎企业职工报名，请如实填写工作单位。",
                    )
                ),
                weekdays=days,
                start_time=datetime.time(hour, minute),
                end_time=datetime.time(hour + 2, minute),
                first_lesson=term.starts_on,
                last_lesson=None,
                lessons=16,
                # Evening classes on working days also meet on a 调休 Saturday worked as a weekday.
                makeup_workdays="add" if days not in ("6", "7") else "skip",
                skip_holidays=True,
                documents="本人身份证原件\n在职证明或劳动合同复印件（灵活就业人员可带社保缴费记录）",
                audience=Audience.ADULTS,
                age_min=age_min,
                age_max=age_max,
                fee=0,
                requires_employer=True,
                eligibility="在海宁市就业的职工，年龄 18 周岁以上。",
                capacity=capacity,
                waitlist_size=waitlist,
                cover_image=demo_image(f"课程 {title}", ["blue", "green", "orange"][n % 3], "gears"),
            )
        )
    # One course closed, to show every status.
    closed = courses[2]
    closed.closes_at = now - datetime.timedelta(days=1)
    closed.opens_at = now - datetime.timedelta(days=20)
    closed.save_revision().publish()
    say(f"  courses: {CoursePage.objects.count()}")

    if Enrollment.objects.exists():
        return
    # Fill some courses to capacity with a waitlist; the 30-seat welding course stays open.
    seq = 0
    by_slug = {c.slug: c for c in courses}
    for course, extra in [(by_slug["child-0"], 3), (by_slug["child-4"], 2), (by_slug["child-6"], 0)]:
        for _ in range(course.capacity + extra):
            seq += 1
            applicant = _random_applicant(course, rnd, seq, youngest=max(course.age_min or 6, 6), phone_prefix="139")
            try:
                enroll(course.pk, applicant, source="shell")
            except EnrollmentError:
                continue
    _seed_lesson_change(by_slug["child-0"])
    seq = _seed_lottery(by_slug["child-9"], now, rnd, seq, draw=True)
    _seed_lottery(by_slug["child-10"], now, rnd, seq, draw=False)
    say(f"  enrollments: {Enrollment.objects.count()}")


def _random_applicant(course, rnd, seq, *, youngest, phone_prefix) -> Applicant:
    """A child from `youngest` to the course's oldest age, with a parent: one demo application for `course`."""
    child_age = rnd.randint(youngest, course.age_max or 12)
    birth = course.term.age_cutoff_date.replace(year=course.term.age_cutoff_date.year - child_age) - datetime.timedelta(
        days=rnd.randint(10, 300)
    )
    female = rnd.random() < 0.5
    surname = rnd.choice(SURNAMES)
    return Applicant(
        applicant_name=surname + rnd.choice(GIVEN),
        phone=f"{phone_prefix}{rnd.randint(10000000, 99999999)}",
        participant_name=surname + rnd.choice(GIVEN),
        id_number=demo_id_number(birth, seq, female),
        birth_date=birth,
        gender="F" if female else "M",
        consent=True,
    )


def _seed_lesson_change(course):
    """One lesson moved by a week (teacher away at a competition), so the demo shows a 调课."""
    from training.models import Lesson
    from training.services.lessons import change_lesson

    third = Lesson.objects.filter(course=course, number=3).first()
    if third is None:
        return
    change_lesson(
        course.pk,
        third.original_date,
        kind="move",
        new_date=third.original_date + datetime.timedelta(days=1),
        note="教师外出参加比赛",
    )


def _seed_lottery(course, now, rnd, seq, draw: bool) -> int:
    """A course in lottery mode with more applicants than seats: drawn, or closed and waiting for staff."""
    from training.services.lottery import run_draw

    course.allocation = "lottery"
    course.opens_at = now - datetime.timedelta(days=10)
    course.closes_at = now + datetime.timedelta(days=1)
    course.save_revision().publish()
    for _ in range(course.capacity + course.waitlist_size + 8):
        seq += 1
        applicant = _random_applicant(course, rnd, seq, youngest=course.age_min or 6, phone_prefix="137")
        try:
            enroll(course.pk, applicant, source="shell")
        except EnrollmentError:
            continue
    course.closes_at = now - datetime.timedelta(hours=2)
    course.save_revision().publish()
    if draw:
        run_draw(course.pk)
    return seq
