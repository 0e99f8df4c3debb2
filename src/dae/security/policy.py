"""The sign-in policy in one place (等保 2.0 level 3, GB/T 22239-2019 8.1.4.1 身份鉴别 / 8.1.4.2 访问控制).

Numbers that are law for every deployment live here; the password expiry is the manager's dated setting
(``SecuritySetting``); the lockout numbers are django-axes' settings (``AXES_*`` in ``settings/base.py``).
"""

from __future__ import annotations

from dae.accounts.posts import Post

PASSWORD_MIN_LENGTH = 12
PASSWORD_MIN_CLASSES = 3
PASSWORD_HISTORY = 5
DEFAULT_PASSWORD_MAX_AGE_DAYS = 90

IDLE_SECONDS = 30 * 60
ABSOLUTE_SECONDS = 8 * 3600
#: the session's idle clock is written at most this often (a session write per request would cost every page)
TOUCH_EVERY_SECONDS = 60

#: posts that must sign in with a second factor (TOTP); every other post may enrol
TWO_FACTOR_POSTS: frozenset[str] = frozenset({Post.MANAGER, Post.FINANCE, Post.IT, Post.SUPERVISOR})

RECOVERY_CODES = 10


def two_factor_required(post: str) -> bool:
    return post in TWO_FACTOR_POSTS
