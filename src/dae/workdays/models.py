"""The manager's entries of the working-day calendar (工作日历): single days that override the chinesecalendar
package (from the State Council notice) and the years confirmed complete. The rules are in ``calendar.py``.

Rows are never edited in place: changing a day replaces its row (``actions.do_set_override``), so the cache in
``service.py`` can tell a change from the row count, the highest id and the latest time of each table.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dae.core.scoping import ScopedManager


class CalendarOverride(models.Model):
    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("录入时间"), default=timezone.now)

    # City-wide data (no region): every staff post and the supervisor read it.
    objects = ScopedManager()

    class Meta:
        ordering = ["date"]
        verbose_name = _("工作日调整")

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {_('上班') if self.is_working_day else _('休息')}"


class CalendarYear(models.Model):
    """A year the manager confirmed complete: every day of the State Council notice is entered."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("确认人"), null=True,
                                     on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(_("确认时间"), default=timezone.now)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["year"]
        verbose_name = _("已确认年度")

    def __str__(self) -> str:
        return str(self.year)
