"""The enrollment-staff group (报名管理员): the only group that sees enrollments, with full personal data."""

from django.db import migrations


def forwards(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("training")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    staff, _ = Group.objects.get_or_create(name="报名管理员")
    codenames = [
        "view_enrollment", "change_enrollment", "add_enrollment", "view_personal_data",
        "view_term", "add_term", "change_term", "view_coursecategory", "view_teacher",
    ]
    staff.permissions.add(*Permission.objects.filter(content_type__app_label="training", codename__in=codenames))
    admin_access = Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin").first()
    if admin_access:
        staff.permissions.add(admin_access)


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0002_coursecategory_teacher_term_coursepage_enrollment"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
