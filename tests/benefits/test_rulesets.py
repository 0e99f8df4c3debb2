"""Rule-set management: drafts, validation with field paths, publishing with an effective date, immutability."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from dae.benefits import actions
from dae.benefits.models import RuleSetVersion
from dae.benefits.queries import book_documents, document_diff, rulebook_for
from dae.core.errors import Conflict, InvalidInput
from dae.core.models import Event

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def installed(world: dict[str, Any]) -> RuleSetVersion:
    return actions.do_install_default(world["regions"][0])


def _with_ratio(version: RuleSetVersion, ratio: str) -> str:
    return version.source_text.replace('ratio: "0.85"', f'ratio: "{ratio}"').replace("ratio: '0.85'",
                                                                                   f"ratio: '{ratio}'")


def test_default_installs_once_as_published(installed: RuleSetVersion, world: dict[str, Any]) -> None:
    assert installed.version_id == "huadian-dae@2025.1"
    assert installed.status == "published" and installed.valid_from == dt.date(2025, 1, 1)
    assert actions.do_install_default(world["regions"][0]).pk == installed.pk


def test_draft_bumps_version_and_edit_is_validated_with_paths(installed: RuleSetVersion,
                                                              world: dict[str, Any]) -> None:
    manager = world["users"]["manager"]
    draft = actions.do_create_draft(manager, installed.ruleset)
    assert (draft.version, draft.status, draft.based_on_id) == ("2025.2", "draft", installed.pk)
    broken = draft.source_text.replace('annual_maximum: "410000.00"', 'annual_maximum: "-1"').replace(
        "annual_maximum: '410000.00'", "annual_maximum: '-1'")
    assert broken != draft.source_text
    with pytest.raises(InvalidInput) as caught:
        actions.do_update_draft(manager, draft, broken)
    paths = [d["path"] for d in caught.value.details]
    assert "annual_maximum" in paths
    assert all(d["message"] and d["message_en"] for d in caught.value.details)


def test_bad_yaml_names_the_line(installed: RuleSetVersion, world: dict[str, Any]) -> None:
    draft = actions.do_create_draft(world["users"]["manager"], installed.ruleset)
    with pytest.raises(InvalidInput, match="第 2 行"):
        actions.do_update_draft(world["users"]["manager"], draft, "a: 1\nb: c: d\n")


def test_publish_effective_next_month_and_version_chosen_by_date(installed: RuleSetVersion,
                                                                world: dict[str, Any]) -> None:
    manager = world["users"]["manager"]
    draft = actions.do_create_draft(manager, installed.ruleset)
    draft = actions.do_update_draft(manager, draft, _with_ratio(draft, "0.88"))
    assert document_diff(installed.document, draft.document) == [
        ("version", "2025.1", "2025.2"), ("segments[0].ratio", "0.85", "0.88")]
    actions.do_publish(manager, draft, dt.date(2026, 12, 1), today=TODAY)
    docs = book_documents(installed.ruleset)
    assert [(d["version"], d["valid_from"], d["valid_to"]) for d in docs] == [
        ("2025.1", "2025-01-01", "2026-11-30"), ("2025.2", "2026-12-01", None)]
    book = rulebook_for(installed.ruleset)
    assert book.version_for(dt.date(2026, 11, 30)).version_id == "huadian-dae@2025.1"
    assert book.version_for(dt.date(2026, 12, 1)).version_id == "huadian-dae@2025.2"
    actions_seen = list(Event.objects.filter(object_type="benefits.rulesetversion").values_list("action", flat=True))
    assert sorted(actions_seen) == ["benefits.ruleset_installed", "benefits.version_drafted",
                                    "benefits.version_edited", "benefits.version_published"]


def test_publish_in_the_past_or_before_current_is_refused(installed: RuleSetVersion, world: dict[str, Any]) -> None:
    draft = actions.do_create_draft(world["users"]["manager"], installed.ruleset)
    with pytest.raises(InvalidInput, match="不能早于今天"):
        actions.do_publish(world["users"]["manager"], draft, dt.date(2026, 1, 1), today=TODAY)
    assert RuleSetVersion.objects.get(pk=draft.pk).status == "draft"


def test_published_version_is_immutable(installed: RuleSetVersion, world: dict[str, Any]) -> None:
    installed.source_text = "changed"
    with pytest.raises(Conflict):
        installed.save()
    with pytest.raises(Conflict):
        actions.do_update_draft(world["users"]["manager"], installed, installed.source_text)
    with pytest.raises(Conflict):
        installed.delete()


@pytest.mark.postgres_only
def test_postgresql_refuses_update_of_a_published_version(installed: RuleSetVersion) -> None:
    assert connection.vendor == "postgresql"
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE benefits_rulesetversion SET source_text = 'x' WHERE id = %s", [installed.pk])


def test_versions_keep_the_source_comments_that_cite_the_seed(installed: RuleSetVersion,
                                                               world: dict[str, Any]) -> None:
    assert "# 最高赔付限额41万元" in installed.source_text or "41万" in installed.source_text
    draft = actions.do_create_draft(world["users"]["manager"], installed.ruleset)
    assert 'version: "2025.2"' in draft.source_text
    assert draft.source_text.count("seed 003") == installed.source_text.count("seed 003") > 3
    published = actions.do_publish(world["users"]["manager"], draft, dt.date(2027, 1, 1), today=TODAY)
    assert 'valid_from: "2027-01-01"' in published.source_text and "seed 003" in published.source_text


def test_ruleset_list_shows_the_current_published_version(installed: RuleSetVersion, client_for: Any,
                                                          world: dict[str, Any]) -> None:
    actions.do_create_draft(world["users"]["manager"], installed.ruleset)  # a draft is not current
    html = client_for("manager").get("/benefits/rulesets/").content.decode()
    assert "huadian-dae@2025.1" in html and "huadian-dae@2025.2" not in html
