from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """The site's user model (custom from the first migration so it can grow without pain)."""

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = "用户"
        verbose_name_plural = "用户"
