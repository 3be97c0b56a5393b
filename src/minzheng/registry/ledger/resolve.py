"""Township/village names and programme names as ledgers write them, resolved to Division and Programme rows.

Full or short forms are accepted (梅山街道 / 梅山, 来舟镇 / 来舟, 中山社区居委会 / 中山社区, 洋坑村委会 / 洋坑村 / 洋坑)
when they name exactly one division inside the importing user's jurisdiction.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from minzheng.regions.models import Division, Level

from .parsers import CellError

_TOWN_SUFFIXES = ("街道办事处", "街道办", "街道", "镇", "乡")
_VILLAGE_SUFFIXES = ("社区居民委员会", "社区居委会", "村民委员会", "居民委员会", "村委会", "居委会", "委会", "社区", "村")


def _norm(s: Any) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(s or "")))


def _variants(name: str, suffixes: tuple[str, ...]) -> set[str]:
    out = {name}
    for suf in suffixes:
        if name.endswith(suf) and len(name) - len(suf) >= 2:
            stem = name[: -len(suf)]
            out.add(stem)
            out |= _variants(stem, suffixes)
    return out


def _village_forms(name: str) -> set[str]:
    """洋坑村委会 → 洋坑村委会, 洋坑村, 洋坑村民委员会, 洋坑; 中山社区居委会 → 中山社区, 中山, …"""
    forms = _variants(name, _VILLAGE_SUFFIXES)
    for stem in list(forms):
        if name.endswith(("村委会", "村民委员会")):
            forms |= {stem + "村", stem + "村委会", stem + "村民委员会"}
        elif name.endswith(("居委会", "居民委员会")):
            forms |= {stem + "居委会", stem + "居民委员会"}
    return {f for f in forms if len(f) >= 2}


def _official_short(name: str) -> str:
    """What officers write: 居委会 dropped (中山社区居委会 → 中山社区), 村委会 → 村 (洋坑村委会 → 洋坑村)."""
    for suf, repl in (("居民委员会", ""), ("村民委员会", "村"), ("居委会", ""), ("村委会", "村")):
        if name.endswith(suf):
            stem = name[: -len(suf)]
            return stem + (repl if not stem.endswith("村") else "")
    return name


@dataclass(frozen=True)
class Place:
    village: Division
    township: Division


class Places:
    """Name lookups over the whole tree; `scope` (a Division or None for the whole county) limits what may be used."""

    def __init__(self, scope: Division | None) -> None:
        self.scope_path = scope.path if scope is not None else ""
        towns = list(Division.objects.filter(level=Level.TOWNSHIP))
        villages = list(Division.objects.filter(level=Level.VILLAGE))
        self.towns_by_id = {t.pk: t for t in towns}
        self.town_index: dict[str, set[int]] = {}
        for t in towns:
            for f in _variants(t.name, _TOWN_SUFFIXES) | {t.short_name}:
                if len(f) >= 2:
                    self.town_index.setdefault(f, set()).add(t.pk)
        self.villages_by_id = {v.pk: v for v in villages}
        # Tiers, most exact first: the full name; the official short name (西芹社区居委会 → 西芹社区, 西芹社区村委会 →
        # 西芹社区村); then looser forms (洋坑). A looser form is used only when no exacter one names a village.
        self.village_tiers: list[dict[str, set[int]]] = [{}, {}, {}]
        for v in villages:
            self.village_tiers[0].setdefault(v.name, set()).add(v.pk)
            for f in {v.short_name, _official_short(v.name)}:
                self.village_tiers[1].setdefault(f, set()).add(v.pk)
            for f in _village_forms(v.name):
                self.village_tiers[2].setdefault(f, set()).add(v.pk)
        self.county_names = tuple(Division.objects.filter(level=Level.COUNTY).values_list("name", flat=True))
        self._cache: dict[tuple[str, str, int | None], Place] = {}
        self._raw_cache: dict[tuple[Any, Any, int | None], Place] = {}
        self._errors: dict[tuple[str, str, int | None], tuple[str, str]] = {}
        # A township office's own township is the default when a ledger has no township column.
        self.default_town: Division | None = None
        if scope is not None and scope.level == Level.TOWNSHIP:
            self.default_town = scope
        elif scope is not None and scope.level == Level.VILLAGE and scope.parent_id:
            self.default_town = self.towns_by_id.get(scope.parent_id)

    def in_scope(self, d: Division) -> bool:
        return d.path.startswith(self.scope_path)

    def _strip_county(self, s: str) -> str:
        for c in self.county_names:
            if s.startswith(c) and len(s) > len(c):
                return s[len(c):]
        return s

    def township(self, raw: Any) -> Division:
        s = self._strip_county(_norm(raw))
        ids = self.town_index.get(s)
        if not ids:
            for suf in _TOWN_SUFFIXES:
                if s.endswith(suf) and (ids := self.town_index.get(s[: -len(suf)])):
                    break
        if not ids:
            raise CellError(f"未找到乡镇(街道)“{s}”")
        if len(ids) > 1:
            names = "、".join(sorted(self.towns_by_id[i].name for i in ids))
            raise CellError(f"乡镇(街道)“{s}”不唯一（{names}），请写全称")
        t = self.towns_by_id[next(iter(ids))]
        if not (t.path.startswith(self.scope_path) or self.scope_path.startswith(t.path)):
            raise CellError(f"乡镇(街道)“{t.name}”不在您的辖区内")
        return t

    def township_in_text(self, title: str) -> Division | None:
        """A township named in a title row ("梅山街道2024年低保台账"), if exactly one is."""
        found = {i for form, ids in self.town_index.items() if len(form) >= 2 and form in title for i in ids}
        return self.towns_by_id[found.pop()] if len(found) == 1 else None

    def resolve(self, town_raw: Any, village_raw: Any, default_town: Division | None = None) -> Place:
        """The village a household lives in. Raises CellError with `.column` "township" or "village"."""
        raw_key = (town_raw, village_raw, default_town.pk if default_town else None)
        if (hit := self._raw_cache.get(raw_key)) is not None:
            return hit
        key = (_norm(town_raw), _norm(village_raw), default_town.pk if default_town else None)
        if key in self._cache:
            self._raw_cache[raw_key] = self._cache[key]
            return self._cache[key]
        if key in self._errors:
            col, msg = self._errors[key]
            raise PlaceError(col, msg)
        try:
            place = self._resolve(key[0], key[1], default_town)
        except PlaceError as exc:
            self._errors[key] = (exc.column, str(exc))
            raise
        self._cache[key] = place
        return place

    def _resolve(self, town_s: str, village_s: str, default_town: Division | None) -> Place:
        town: Division | None = None
        if town_s:
            try:
                town = self.township(town_s)
            except CellError as exc:
                raise PlaceError("township", str(exc)) from exc
        if not village_s:
            raise PlaceError("village", "缺少村(社区)")
        village_s = self._strip_county(village_s)
        within = town or default_town
        ids = self._village_ids(village_s, within)
        if not ids and town is not None:
            # "夏道镇洋坑村": the township written in front of the village
            for form in sorted(_variants(town.name, _TOWN_SUFFIXES), key=len, reverse=True):
                if village_s.startswith(form) and len(village_s) > len(form) + 1:
                    if ids := self._village_ids(village_s[len(form):], within):
                        village_s = village_s[len(form):]
                        break
        if not ids:
            if within is not None and self._village_ids(village_s, None):
                if town is None:
                    raise PlaceError("village", f"“{village_s}”不是{within.name}下属的村(社区)，请填写所属乡镇(街道)")
                raise PlaceError("village", f"村(社区)“{village_s}”不在{town.name}内")
            raise PlaceError("village", f"未找到村(社区)“{village_s}”")
        if len(ids) > 1:
            names = "、".join(sorted(f"{self.towns_by_id[self.villages_by_id[i].parent_id].name}"
                                    f"{self.villages_by_id[i].name}" for i in ids))
            raise PlaceError("village", f"村(社区)“{village_s}”不唯一（{names}），请填写乡镇(街道)或写全称")
        village = self.villages_by_id[next(iter(ids))]
        if not self.in_scope(village):
            raise PlaceError("village", f"{village.name}不在您的辖区内")
        return Place(village, self.towns_by_id[village.parent_id])


    def _village_ids(self, s: str, within: Division | None) -> set[int]:
        """Villages named `s` (inside `within` when given), from the most exact tier that names any."""
        keys = [s] + [s[: -len(suf)] for suf in _VILLAGE_SUFFIXES if s.endswith(suf) and len(s) - len(suf) >= 2]
        for tier in self.village_tiers:
            for key in keys:
                ids = tier.get(key, set())
                if within is not None:
                    ids = {i for i in ids if self.villages_by_id[i].parent_id == within.pk}
                if ids:
                    return set(ids)
        return set()


class PlaceError(CellError):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column


# ---------------------------------------------------------------- programmes

@dataclass(frozen=True)
class ProgrammeRef:
    id: int
    code: str
    name: str
    per_person: bool


class Programmes:
    """Programme by code, name or alias (exactly), or named inside a sheet name or title ("延平区农村低保台账")."""

    GENERIC = {"低保": ("dibao_urban", "dibao_rural"), "最低生活保障": ("dibao_urban", "dibao_rural"),
               "特困": ("tekun_dispersed",), "特困供养": ("tekun_dispersed",), "特困人员": ("tekun_dispersed",),
               "五保": ("tekun_dispersed",), "五保户": ("tekun_dispersed",)}

    def __init__(self) -> None:
        from minzheng.registry.models import Programme

        self.refs: dict[str, ProgrammeRef] = {}
        self.forms: dict[str, str] = {}
        for p in Programme.objects.all():
            ref = ProgrammeRef(p.pk, p.code, p.name, p.per_person)
            self.refs[p.code] = ref
            for f in (p.code, p.name, *(p.aliases or [])):
                self.forms.setdefault(_norm(f).lower(), p.code)

    def exact(self, raw: Any) -> ProgrammeRef | None:
        s = _norm(raw).lower()
        code = self.forms.get(s)
        if code:
            return self.refs[code]
        generic = self.GENERIC.get(s)
        if generic and len(generic) == 1 and generic[0] in self.refs:
            return self.refs[generic[0]]
        return None

    def generic(self, raw: Any, hukou: str | None) -> ProgrammeRef | None:
        """低保 without 城市/农村: the household's 户籍 decides."""
        s = _norm(raw)
        for word, codes in self.GENERIC.items():
            if word in s:
                if len(codes) == 1:
                    return self.refs.get(codes[0])
                if hukou:
                    return self.refs.get(codes[0] if hukou == "urban" else codes[1])
        return None

    def in_text(self, raw: Any) -> ProgrammeRef | None:
        """The programme whose name or alias is the longest one contained in the text; None if two tie."""
        s = _norm(raw).lower()
        if not s:
            return None
        if (p := self.exact(s)) is not None:
            return p
        best_len, best = 0, set()
        for form, code in self.forms.items():
            if len(form) >= 2 and not form.isascii() and form in s:
                if len(form) > best_len:
                    best_len, best = len(form), {code}
                elif len(form) == best_len:
                    best.add(code)
        if len(best) == 1:
            return self.refs[best.pop()]
        return None

    def by_option(self, raw: str) -> ProgrammeRef:
        p = self.exact(raw) or self.in_text(raw)
        if p is None:
            names = "、".join(f"{r.name}({r.code})" for r in self.refs.values())
            raise CellError(f"未知的救助项目“{raw}”，可用：{names}")
        return p
