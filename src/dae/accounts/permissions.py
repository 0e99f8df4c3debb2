"""The permission matrix: which post may read (GET/HEAD/OPTIONS) and write (other methods) each route.

The matrix is data (``permission_matrix.yaml``), reviewed by a person. A route that is not in the matrix is
refused for everybody, and a test walks every route so that a new route without an entry fails the suite.
Entries may use these groups: ``all`` (every post), ``staff`` (insurer posts except IT), ``public`` (no log-in).
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
            matrix[route] = RouteRule(False, _expand(spec.get("read")), _expand(spec.get("write")))
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
