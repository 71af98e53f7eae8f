"""`manage verify_draw <course id>`: recompute a recorded draw from its seed and entrant list."""

from django.core.management.base import BaseCommand, CommandError

from training.models import LotteryDraw
from training.services import lottery


class Command(BaseCommand):
    help = "复核摇号：用记录的随机种子和名单重新计算顺序和名单哈希"

    def add_arguments(self, parser):
        parser.add_argument("course_id", type=int)

    def handle(self, course_id, **options):
        draw = LotteryDraw.objects.filter(course_id=course_id).select_related("course").first()
        if draw is None:
            raise CommandError("该课程没有摇号记录。")
        numbers = [e["no"] for e in draw.entrants]
        order = lottery.draw_order(draw.seed, numbers)
        digest = lottery.entrants_hash(draw.entrants)
        self.stdout.write(f"课程：{draw.course.title}；种子：{draw.seed}；参与 {len(numbers)} 人")
        self.stdout.write(
            f"顺序{'一致' if order == draw.order else '不一致'}；名单哈希{'一致' if digest == draw.entrants_hash else '不一致'}"
        )
        committed = not draw.seed_sha256 or lottery.seed_hash(draw.seed) == draw.seed_sha256
        if draw.seed_sha256:
            self.stdout.write(f"种子与事先公布的哈希{'一致' if committed else '不一致'}（{draw.seed_sha256}）")
        if order != draw.order or digest != draw.entrants_hash or not committed:
            raise CommandError("复核未通过。")
        self.stdout.write(self.style.SUCCESS("复核通过。"))
