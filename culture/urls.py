"""The calendar's URLs are the routes of EventIndexPage and EventPage (see culture.models)."""

app_name = "culture"
urlpatterns: list = []
