"""Editorial review (内容审核) for every installation.

Two groups: 内容编辑 (editors: create, edit, submit for review; no publishing) and 内容审核
(reviewers: approve and publish), and Wagtail's workflow "内容审核" with one group-approval task,
assigned to the root page so it covers every page of every site. Wagtail's own default groups
(Editors, Moderators) and its default workflow are renamed rather than duplicated, so their image,
document and admin-access permissions carry over.
"""

from django.db import migrations

EDITORS = "内容编辑"
REVIEWERS = "内容审核"
WORKFLOW = "内容审核"
TASK = "审核员审批"

EDITOR_PAGE_PERMS = ["add_page", "change_page", "lock_page", "unlock_page"]
REVIEWER_PAGE_PERMS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page", "bulk_delete_page"]


def _group(Group, old_name, new_name):
    group = Group.objects.filter(name=new_name).first()
    if group:
        return group
    group = Group.objects.filter(name=old_name).first()
    if group:
        group.name = new_name
        group.save(update_fields=["name"])
        return group
    return Group.objects.create(name=new_name)


def forwards(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    GroupPagePermission = apps.get_model("wagtailcore.GroupPagePermission")
    Workflow = apps.get_model("wagtailcore.Workflow")
    WorkflowTask = apps.get_model("wagtailcore.WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore.WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore.GroupApprovalTask")

    editors = _group(Group, "Editors", EDITORS)
    reviewers = _group(Group, "Moderators", REVIEWERS)

    admin_ct, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access_admin, _ = Permission.objects.get_or_create(
        content_type=admin_ct, codename="access_admin", defaults={"name": "Can access Wagtail admin"}
    )
    editors.permissions.add(access_admin)
    reviewers.permissions.add(access_admin)

    root = Page.objects.filter(depth=1).order_by("path").first()
    if root is None:
        return
    page_ct, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="page")

    def grant(group, codenames):
        for codename in codenames:
            permission, _ = Permission.objects.get_or_create(
                content_type=page_ct, codename=codename, defaults={"name": codename.replace("_", " ")}
            )
            GroupPagePermission.objects.get_or_create(group=group, page=root, permission=permission)

    # Editors must never publish: remove any publish right they may hold on the root.
    GroupPagePermission.objects.filter(group=editors, permission__codename="publish_page").delete()
    grant(editors, EDITOR_PAGE_PERMS)
    grant(reviewers, REVIEWER_PAGE_PERMS)

    task_ct, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="groupapprovaltask")
    task = GroupApprovalTask.objects.filter(name=TASK).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK, content_type=task_ct, active=True)
    task.groups.set([reviewers])

    workflow = Workflow.objects.filter(name=WORKFLOW).first() or Workflow.objects.create(name=WORKFLOW, active=True)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})

    # Wagtail's default "Moderators approval" workflow and task are superseded: deactivate them if
    # nothing uses them, and give them Chinese names so editors do not meet English in the admin.
    for old in Workflow.objects.exclude(pk=workflow.pk).filter(name__endswith=" approval"):
        if not WorkflowPage.objects.filter(workflow=old).exists():
            old.active = False
            old.name = "原默认审批流程（已停用）"
            old.save(update_fields=["active", "name"])
    for old_task in GroupApprovalTask.objects.exclude(pk=task.pk).filter(name__endswith=" approval"):
        old_task.active = False
        old_task.name = "原默认审批任务（已停用）"
        old_task.save(update_fields=["active", "name"])
    Page.objects.filter(depth=1, title="Root").update(title="根页面", draft_title="根页面")


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0002_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
