"""Bank versions: publishing validates, published versions are read-only in the admin, and a
new version never changes a past result."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from reflect.errors import DomainError
from reflect.models import User
from supervision.models import NeedsAssessment, QuestionBankVersion, ScoringRule
from supervision.scoring import CLINICAL_SUPERVISION_RECOMMENDED, CONSIDER_CASE_CONSULTATION
from supervision.services.bank import copy_to_draft, current_version, publish_version, version_problems
from tests.factories.core import give_two_factor
from tests.supervision.conftest import take_questionnaire

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = User.objects.create_superuser("root@example.org", "a-long-admin-password-1")
    give_two_factor(admin)  # the admin needs it (docs/security.md, "Two-factor")
    client.force_login(admin)
    return client


def v1() -> QuestionBankVersion:
    return QuestionBankVersion.objects.get(number=1)


def test_shipped_version_is_published_and_valid():
    version = v1()
    assert version.is_published
    assert current_version() == version
    assert version_problems(version) == []
    assert version.sections.count() == 6
    assert sum(s.questions.count() for s in version.sections.all()) == 30


def test_copy_to_draft_copies_everything_and_is_not_current_until_published():
    draft = copy_to_draft(v1(), acting_user=None)
    assert (draft.number, draft.is_published) == (2, False)
    assert draft.rules.count() == v1().rules.count()
    assert [s.key for s in draft.sections.all()] == [s.key for s in v1().sections.all()]
    assert current_version() == v1()
    publish_version(draft, acting_user=None)
    assert current_version() == draft


def test_publishing_twice_is_refused():
    with pytest.raises(DomainError) as caught:
        publish_version(v1(), acting_user=None)
    assert caught.value.message == "Version 1 is already published."


def test_new_version_leaves_an_old_result_unchanged(client, drama_answers):
    old = take_questionnaire(client, drama_answers)
    url = reverse("questionnaire_result", args=[old.pk])
    before_html = client.get(url).content.decode()
    assert "Group supervision: 1 group × 2 h/month × 12 months × £60/h = £1,440" in before_html

    draft = copy_to_draft(v1(), acting_user=None)
    ScoringRule.objects.filter(version=draft, key="trauma-weekly").update(
        clinical_points=0, consultation_points=1, reason="Trauma most weeks (weighed differently in v2)."
    )
    draft.clinical_threshold = 10
    draft.save()
    publish_version(draft, acting_user=None)

    new = take_questionnaire(client, drama_answers)
    assert (new.version.number, new.outcome) == (2, CONSIDER_CASE_CONSULTATION)
    assert "Trauma most weeks (weighed differently in v2)." in [r["reason"] for r in new.result["reasons"]]

    old.refresh_from_db()
    assert (old.version.number, old.outcome) == (1, CLINICAL_SUPERVISION_RECOMMENDED)
    after_html = client.get(url).content.decode()
    assert "People tell staff about trauma most weeks." in after_html
    assert "weighed differently" not in after_html
    assert "Group supervision: 1 group × 2 h/month × 12 months × £60/h = £1,440" in after_html
    csrf = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert csrf.sub("", after_html.split("<h1")[1]) == csrf.sub("", before_html.split("<h1")[1])


def _publish_through_admin(admin_client, version):
    response = admin_client.post(
        reverse("admin:supervision_questionbankversion_changelist"),
        {"action": "publish", "_selected_action": [version.pk]},
        follow=True,
    )
    return [str(m) for m in get_messages(response.wsgi_request)] or [m.message for m in response.context["messages"]]


def test_admin_refuses_to_publish_a_rule_naming_a_missing_question_or_option(admin_client):
    draft = copy_to_draft(v1(), acting_user=None)
    ScoringRule.objects.create(
        version=draft, key="ghost", question_key="ghost", option_value="yes", clinical_points=1, reason="x"
    )
    ScoringRule.objects.create(
        version=draft, key="odd-option", question_key="psychosis", option_value="daily", clinical_points=1, reason="y"
    )
    messages = _publish_through_admin(admin_client, draft)
    assert messages == [
        "Version 2 cannot be published: Rule “ghost” names the question “ghost”, which is not in this version. "
        "Rule “odd-option” names the option “daily”, which the question “psychosis” does not have."
    ]
    draft.refresh_from_db()
    assert draft.published_at is None


def test_admin_publishes_a_valid_draft(admin_client):
    draft = copy_to_draft(v1(), acting_user=None)
    assert _publish_through_admin(admin_client, draft) == ["Version 2 is published."]
    draft.refresh_from_db()
    assert draft.is_published


def test_admin_shows_a_published_version_read_only_and_refuses_edits(admin_client):
    version = v1()
    url = reverse("admin:supervision_questionbankversion_change", args=[version.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"notes": "changed", "clinical_threshold": "1", "consultation_threshold": "1"})
    assert response.status_code == 403
    rule = version.rules.get(key="psychosis-weekly")
    assert admin_client.post(reverse("admin:supervision_scoringrule_change", args=[rule.pk]), {}).status_code == 403
    assert (
        admin_client.post(reverse("admin:supervision_scoringrule_delete", args=[rule.pk]), {"post": "yes"}).status_code
        == 403
    )
    version.refresh_from_db()
    assert (version.notes.startswith("First version"), version.clinical_threshold) == (True, 5)


def test_an_old_version_in_use_cannot_be_deleted_from_under_its_results(client, drama_answers):
    take_questionnaire(client, drama_answers)
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        v1().delete()
    assert NeedsAssessment.objects.count() == 1
