"""Permission names in Chinese.

Django names a model's permissions "Can add <model>" in English at migrate time (translation off), and
Wagtail's own permissions are English too ("Can access Wagtail admin", "Publish any page"); the group and
user screens show these names. After each migrate the names are rewritten from the codename and the model's
(translated) verbose name: "可以添加新闻"."""

import re

from django.apps import apps as global_apps
from django.utils import translation

VERBS = {"add": "添加", "change": "修改", "delete": "删除", "view": "查看"}
NAMED = {
    "access_admin": "可以访问管理后台",
    "choose_image": "可以选择图片",
    "choose_document": "可以选择文档",
    "bulk_delete_page": "删除包含子页面的页面",
    "lock_page": "锁定/解锁自己锁定的页面",
    "publish_page": "发布任意页面",
    "unlock_page": "解锁任意页面",
}
DEFAULT = re.compile(r"^(Can (add|change|delete|view) |Can )")


def chinese_name(permission) -> str | None:
    """The Chinese name for a permission Django or Wagtail named in English; None to leave it as it is."""
    if permission.codename in NAMED:
        return NAMED[permission.codename]
    action, _, model_name = permission.codename.partition("_")
    if action not in VERBS or not DEFAULT.match(permission.name):
        return None
    try:
        model = global_apps.get_model(permission.content_type.app_label, permission.content_type.model)
    except LookupError:
        return None
    if model._meta.model_name != model_name:
        return None
    with translation.override("zh-hans"):
        verbose_name = str(model._meta.verbose_name)
    if re.search(r"[a-z]{3,}", verbose_name):
        return None  # an internal model without a Chinese name (never on a staff screen): Django's name stays
    return f"可以{VERBS[action]}{verbose_name}"


def rename_permissions(sender, app_config=None, using="default", apps=global_apps, **kwargs):
    """post_migrate receiver; acts once per migrate, after the last app has its permissions."""
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Permission

    # Django sends post_migrate once per app that has models; the last one comes after every other app's.
    with_models = [config for config in global_apps.get_app_configs() if config.models_module is not None]
    if app_config is None or app_config is not with_models[-1]:
        return
    create_permissions(app_config, verbosity=0, using=using, apps=apps)
    changed = []
    for permission in Permission.objects.using(using).select_related("content_type"):
        name = chinese_name(permission)
        if name and name != permission.name:
            permission.name = name[:255]
            changed.append(permission)
    Permission.objects.using(using).bulk_update(changed, ["name"], batch_size=500)
