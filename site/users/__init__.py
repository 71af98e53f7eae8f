"""The site's user model, in an app of its own so that its first migration precedes Wagtail's."""
