"""Pages and actions take their ``can_*`` flags from the permission matrix (issue 14): the matrix's ``unmask``
entries, the posts that write a route, and no list of posts kept in a module (apart from the listed ones)."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

from dae.accounts.permissions import can, can_unmask, writers

SRC = Path(__file__).resolve().parents[2] / "src" / "dae"
POST_CONSTANT = re.compile(r"^[A-Z_]*(_POSTS|_WRITERS)\s*=", re.MULTILINE)
#: Still to move (issue 14): who may be chosen, not who may post a request; and a file another change owns.
REMAINING = {
}


def user(post: str) -> SimpleNamespace:
    return SimpleNamespace(is_authenticated=True, post=post)


def test_unmask_follows_the_matrix_entry_and_needs_read_access() -> None:
    for post in ("manager", "settlement", "checker", "service"):
        assert can_unmask(user(post), "enrollment:person_detail"), post
        assert can_unmask(user(post), "api:person-detail"), post
    for post in ("reviewer", "inspector", "finance", "supervisor", "it", "hospital", "insured"):
        assert not can_unmask(user(post), "enrollment:person_detail"), post
    assert [p for p in ("settlement", "checker", "insured", "manager") if can_unmask(user(p), "reimbursement:claim_detail")] \
        == ["settlement", "checker"]
    assert not can_unmask(SimpleNamespace(is_authenticated=False, post="manager"), "enrollment:person_detail")
    assert not can_unmask(user("manager"), "enrollment:person_list")  # a route without an unmask entry
    assert not can_unmask(user("manager"), "no:such_route")


def test_writers_are_the_posts_the_matrix_lets_write() -> None:
    assert writers("inspection:investigation_result") == frozenset({"manager", "inspector"})
    assert writers("credit:screening_list") == frozenset({"reviewer", "inspector", "manager"})
    assert writers("no:such_route") == frozenset()
    assert can(user("reviewer"), "credit:screening_list") and not can(user("hospital"), "credit:screening_list")


def test_no_module_keeps_its_own_list_of_posts() -> None:
    found: dict[str, list[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        names = [m.group(0).split("=")[0].strip() for m in POST_CONSTANT.finditer(path.read_text(encoding="utf-8"))]
        if names:
            found[path.relative_to(SRC).as_posix()] = names
    assert found == REMAINING
