from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    label = "sitesearch"
    verbose_name = "站内搜索"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from search.services import forget_ranked_results_on_change

        post_save.connect(forget_ranked_results_on_change, dispatch_uid="search-forget-ranked-save")
        post_delete.connect(forget_ranked_results_on_change, dispatch_uid="search-forget-ranked-delete")
