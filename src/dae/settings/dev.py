"""Development / demo settings: SQLite by default, debug off unless DAE_DEBUG=1."""

from .base import *  # noqa: F403
