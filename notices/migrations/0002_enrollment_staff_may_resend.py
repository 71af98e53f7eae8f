"""The enrollment staff (报名管理员) see the notices and may resend them."""

from django.db import migrations


def forwards(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("notices")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    staff, _ = Group.objects.get_or_create(name="报名管理员")
    staff.permissions.add(
        *Permission.objects.filter(content_type__app_label="notices", codename__in=["view_notice", "resend_notice"])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("notices", "0001_initial"),
        ("training", "0003_enrollment_staff_group"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
