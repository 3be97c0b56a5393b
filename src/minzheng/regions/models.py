"""The administrative division tree (province → city → county → township → village)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县(区)")
    TOWNSHIP = "township", _("乡镇(街道)")
    VILLAGE = "village", _("村(社区)")


LEVEL_DEPTH = {Level.PROVINCE: 0, Level.CITY: 1, Level.COUNTY: 2, Level.TOWNSHIP: 3, Level.VILLAGE: 4}


class DivisionDataset(models.Model):
    """One load of a division CSV: which edition the tree came from."""

    version = models.CharField(_("数据版本"), max_length=64)
    source = models.CharField(_("来源"), max_length=255)
    sha256 = models.CharField(max_length=64)
    row_count = models.PositiveIntegerField()
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("区划数据版本")

    def __str__(self) -> str:
        return f"{self.version} ({self.row_count})"


class Division(models.Model):
    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    # The name without its unit suffix (梅山街道 → 梅山, 某某村委会 → 某某村), used to match ledgers.
    short_name = models.CharField(_("简称"), max_length=64, db_index=True)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    # Materialised path of codes, "35/3507/350702/350702001000/": subtree = path prefix, one indexed range scan.
    path = models.CharField(max_length=160, unique=True)
    depth = models.PositiveSmallIntegerField()
    dataset = models.ForeignKey(DivisionDataset, null=True, on_delete=models.SET_NULL)
    # Resident population where known (statistics or demo estimate), for staffing norms.
    population = models.PositiveIntegerField(_("人口"), null=True, blank=True)
    population_is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_urban(self) -> bool:
        """统计用区划代码: village-level 001–199 are 居委会 (urban), 200–399 村委会 (rural)."""
        if self.level == Level.VILLAGE:
            return int(self.code[9:12]) < 200
        if self.level == Level.TOWNSHIP:
            return int(self.code[6:9]) < 100
        return False

    @property
    def full_name(self) -> str:
        from .selectors import ancestors

        names = [d.name for d in ancestors(self) if d.depth >= 2] + [self.name]
        return "".join(names)
