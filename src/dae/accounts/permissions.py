"""The permission matrix: which post may read (GET/HEAD/OPTIONS) and write (other methods) each route.

The matrix is data (``permission_matrix.yaml``), reviewed by a person. A route that is not in the matrix is
refused for everybody, and a test walks every route so that a new route without an entry fails the suite.
Entries may use these groups: ``all`` (every post), ``staff`` (insurer posts except IT), ``public`` (no log-in).

A list route may also say who may download it (``export:``; without it every post that may read the list may
export it, ``export: []`` refuses everybody) and who receives personal columns unmasked in the download
(``export_full:``; nobody by default) — see ``docs/using-lists.md``. A detail route may say who may show the
person's full identifiers on it (``unmask:``, e.g. the full certificate number; nobody by default; each full view
is recorded by the page).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from .posts import Post

MATRIX_FILE = Path(__file__).with_name("permission_matrix.yaml")

GROUPS: dict[str, frozenset[str]] = {
    "all": frozenset(p.value for p in Post),
    "staff": frozenset(
        p.value for p in Post if p not in (Post.IT, Post.HOSPITAL, Post.INSURED, Post.SUPERVISOR)
    ),
}


@dataclass(frozen=True)
class RouteRule:
    public: bool
    read: frozenset[str]
    write: frozenset[str]
    export: frozenset[str] | None = None  # None: whoever may read
    export_full: frozenset[str] = frozenset()
    unmask: frozenset[str] = frozenset()

    def exports(self, post: str) -> bool:
        if self.export is None:
            return self.allows(post, "GET")
        return post in self.export

    def allows(self, post: str, method: str) -> bool:
        if self.public:
            return True
        if method in ("GET", "HEAD", "OPTIONS"):
            return post in self.read or post in self.write
        return post in self.write


def _expand(names: list[str] | str | None) -> frozenset[str]:
    if names is None:
        return frozenset()
    if isinstance(names, str):
        names = [names]
    posts: set[str] = set()
    for name in names:
        if name in GROUPS:
            posts |= GROUPS[name]
        else:
            posts.add(Post(name).value)  # raises on a typo
    return frozenset(posts)


@cache
def load_matrix() -> dict[str, RouteRule]:
    raw = yaml.safe_load(MATRIX_FILE.read_text(encoding="utf-8")) or {}
    matrix: dict[str, RouteRule] = {}
    for route, spec in raw.items():
        if spec == "public":
            matrix[route] = RouteRule(True, frozenset(), frozenset())
        else:
            export = _expand(spec["export"]) if "export" in spec else None
            matrix[route] = RouteRule(False, _expand(spec.get("read")), _expand(spec.get("write")), export,
                                      _expand(spec.get("export_full")), _expand(spec.get("unmask")))
    return matrix


def rule_for(view_name: str) -> RouteRule | None:
    return load_matrix().get(view_name)


def can(user: object, view_name: str, *, write: bool = True) -> bool:
    """Whether ``user``'s post may write (or, with ``write=False``, read) the route ``view_name`` — the one way
    pages and actions derive ``can_*`` flags from the matrix, instead of keeping lists of posts of their own."""
    rule = rule_for(view_name)
    if rule is None:
        return False
    if rule.public:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return rule.allows(str(getattr(user, "post", "")), "POST" if write else "GET")


def can_export(user: object, view_name: str) -> bool:
    """Whether ``user``'s post may download the list ``view_name`` (its ``export`` entry, else its readers)."""
    rule = rule_for(view_name)
    if rule is None or not getattr(user, "is_authenticated", False):
        return False
    return rule.exports(str(getattr(user, "post", "")))


def can_export_full(user: object, view_name: str) -> bool:
    """Whether the download of ``view_name`` keeps personal columns unmasked for ``user``'s post."""
    rule = rule_for(view_name)
    if rule is None or not getattr(user, "is_authenticated", False):
        return False
    return str(getattr(user, "post", "")) in rule.export_full and rule.exports(str(getattr(user, "post", "")))


def can_unmask(user: object, view_name: str) -> bool:
    """Whether ``user``'s post may show full personal identifiers on ``view_name`` (its ``unmask`` entry)."""
    rule = rule_for(view_name)
    if rule is None or not getattr(user, "is_authenticated", False):
        return False
    post = str(getattr(user, "post", ""))
    return post in rule.unmask and rule.allows(post, "GET")


def writers(view_name: str) -> frozenset[str]:
    """The posts that may write ``view_name`` — for choosing people by what they may do (e.g. who can be
    assigned an investigation), so that such lists follow the matrix instead of keeping their own."""
    rule = rule_for(view_name)
    return rule.write if rule is not None else frozenset()
