"""Admin building blocks shared by the apps: values shown to staff in Chinese."""

from wagtail.admin.views.generic import InspectView


def display_value(value):
    """None/True/False as staff read them (Wagtail prints Python's "None", "True", "False")."""
    if value is None or value == "":
        return "—"
    if value is True:
        return "是"
    if value is False:
        return "否"
    return value


class ChineseInspectView(InspectView):
    """Wagtail's inspect view with Chinese labels for non-field attributes (`field_labels`) and empty or
    yes/no values in Chinese."""

    field_labels: dict[str, str] = {}

    def get_field_label(self, field_name, field):
        return self.field_labels.get(field_name) or super().get_field_label(field_name, field)

    def get_field_display_value(self, field_name, field):
        return display_value(super().get_field_display_value(field_name, field))
