from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SiteSettings(models.Model):
    """Installation-wide settings kept by the 系统管理员."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    bureau_name = models.CharField(_("单位名称"), max_length=64, default=settings.MINZHENG_DEFAULT_BUREAU)
    # Since the 2018 reform disaster statistics belong to 应急管理; the owner is a setting, not code.
    disaster_department = models.CharField(_("灾情统计主管部门"), max_length=64, default="应急管理局")
    veterans_department = models.CharField(_("优抚主管部门"), max_length=64, default="退役军人事务局")

    class Meta:
        verbose_name = _("系统设置")

    def __str__(self) -> str:
        return self.bureau_name

    @classmethod
    def current(cls) -> SiteSettings:
        obj, _created = cls.objects.get_or_create(id=1)
        return obj
