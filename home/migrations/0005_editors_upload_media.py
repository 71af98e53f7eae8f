"""Editors (内容编辑) and reviewers (内容审核) upload pictures and documents.

Both groups may add and choose images and documents in the root collection (so in every collection
below it); an editor may change what they uploaded themselves (Wagtail's ownership rule for "add"),
reviewers may change any picture or document (to fix titles and alt text before approving).
Wagtail checks image rights on wagtailimages.Image whatever the image model. Permission rows are created here when they do not exist yet (on a fresh database Django creates
permissions only after all migrations have run).
"""

from django.db import migrations

EDITORS = "内容编辑"
REVIEWERS = "内容审核"

GRANTS = {
    EDITORS: {("wagtailimages", "image"): ["add_image", "choose_image"], ("wagtaildocs", "document"): ["add_document", "choose_document"]},
    REVIEWERS: {
        ("wagtailimages", "image"): ["add_image", "change_image", "choose_image"],
        ("wagtaildocs", "document"): ["add_document", "change_document", "choose_document"],
    },
}  # fmt: skip
NAMES = {
    "add_image": "Can add image",
    "change_image": "Can change image",
    "choose_image": "Can choose image",
    "add_document": "Can add document",
    "change_document": "Can change document",
    "choose_document": "Can choose document",
}


def forwards(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    ContentType = apps.get_model("contenttypes.ContentType")
    Collection = apps.get_model("wagtailcore.Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore.GroupCollectionPermission")

    root = Collection.objects.filter(depth=1).order_by("path").first()
    if root is None:
        return
    for group_name, grants in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for (app_label, model), codenames in grants.items():
            content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
            for codename in codenames:
                permission, _ = Permission.objects.get_or_create(
                    content_type=content_type, codename=codename, defaults={"name": NAMES[codename]}
                )
                GroupCollectionPermission.objects.get_or_create(group=group, collection=root, permission=permission)


def backwards(apps, schema_editor):
    GroupCollectionPermission = apps.get_model("wagtailcore.GroupCollectionPermission")
    GroupCollectionPermission.objects.filter(
        group__name__in=[EDITORS, REVIEWERS],
        permission__codename__in=["add_image", "change_image", "add_document", "change_document"],
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0004_editor_content"),
        ("home", "0003_editorial_review"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailimages", "0027_image_description"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
