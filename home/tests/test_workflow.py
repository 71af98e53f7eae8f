"""Editorial review (内容审核): editors submit, reviewers approve and publish; created by a migration."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Page, Workflow, WorkflowState

from home.tests.factories import NewsIndexPageFactory, NewsPageFactory

pytestmark = pytest.mark.django_db


def test_migration_created_groups_and_workflow_on_root():
    editors = Group.objects.get(name="内容编辑")
    reviewers = Group.objects.get(name="内容审核")
    root = Page.get_first_root_node()
    codes = lambda g: set(g.page_permissions.filter(page=root).values_list("permission__codename", flat=True))  # noqa: E731
    assert {"add_page", "change_page"} <= codes(editors)
    assert "publish_page" not in codes(editors)
    assert {"add_page", "change_page", "publish_page"} <= codes(reviewers)
    workflow = root.get_workflow()
    assert workflow.name == "内容审核" and workflow.active
    task = workflow.tasks.get().specific
    assert list(task.groups.all()) == [reviewers]
    assert not Workflow.objects.filter(active=True).exclude(pk=workflow.pk).exists()
    assert not Workflow.objects.filter(name__contains="approval").exists()


def test_editor_submits_and_reviewer_publishes(client, site_root, django_user_model):
    index = NewsIndexPageFactory(parent=site_root)
    news = NewsPageFactory(parent=index, title="待审核新闻")
    news.unpublish()
    editor = django_user_model.objects.create_user("bianji", password="pw")
    editor.groups.add(Group.objects.get(name="内容编辑"))
    reviewer = django_user_model.objects.create_user("shenhe", password="pw")
    reviewer.groups.add(Group.objects.get(name="内容审核"))

    client.force_login(editor)
    edit_url = f"/admin/pages/{news.pk}/edit/"
    page_html = client.get(edit_url).text
    assert "action-publish" not in page_html  # editors cannot publish
    form = {
        "title": "待审核新闻",
        "slug": news.slug,
        "date": news.date.isoformat(),
        "lead": "导语",
        "body-count": "0",
        "tags": "",
        "gallery_images-TOTAL_FORMS": "0",
        "gallery_images-INITIAL_FORMS": "0",
        "gallery_images-MIN_NUM_FORMS": "0",
        "gallery_images-MAX_NUM_FORMS": "1000",
        "related_links-TOTAL_FORMS": "0",
        "related_links-INITIAL_FORMS": "0",
        "related_links-MIN_NUM_FORMS": "0",
        "related_links-MAX_NUM_FORMS": "1000",
        "action-submit": "submit",
    }
    response = client.post(edit_url, form)
    assert response.status_code == 302
    state = WorkflowState.objects.get(object_id=str(news.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    news.refresh_from_db()
    assert not news.live

    client.force_login(reviewer)
    task_state = state.current_task_state
    response = client.post(f"/admin/pages/workflow/action/{news.pk}/approve/{task_state.pk}/", {"comment": "同意发布"})
    assert response.status_code in (200, 302)
    news.refresh_from_db()
    assert news.live
