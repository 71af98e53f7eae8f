from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    label = "sitesearch"
    verbose_name = "站内搜索"
    default_auto_field = "django.db.models.BigAutoField"
