"""Jurisdiction leak test: a child's and an elder's care files in the victim's village, a visit with its photo,
and a township institution with the elder admitted."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from minzheng.registry import idnumber
from minzheng.registry import services as registry
from minzheng.registry.models import HukouType, Relation

from .planted import Planted


def plant(village: Any, owner: Any) -> Planted:
    from minzheng.care.models import Group
    from minzheng.care.services import files, tekun, visits
    from minzheng.purchased.demo import photo_bytes

    elder_id = idnumber.make("350702", dt.date(1938, 4, 5), 613)
    child_id = idnumber.make("350702", dt.date(2016, 6, 1), 624)
    hh = registry.create_household(actor=owner, division=village, hukou_type=HukouType.RURAL, address="关爱路 3 号",
                                   phone="13905993333", head={"name": "甘秘老人", "id_number": elder_id})
    child = registry.add_person(actor=owner, household=hh, name="甘秘儿童", id_number=child_id,
                                relation=Relation.GRANDCHILD)
    elder = hh.members.get(id_number=elder_id)
    cf = files.open_file(actor=owner, person=child, group=Group.CHILD)
    files.save_child(actor=owner, file=cf, data={"guardian_name": "甘秘祖父", "father_status": "away",
                                                 "father_where": "秘密务工地", "mother_status": "away"})
    ef = files.open_file(actor=owner, person=elder, group=Group.TEKUN)
    v = visits.record_visit(owner, cf, {"answers": {"seen_child": True, "guardian_present": True,
                                                    "schooling": "正常就学", "living": "良好", "safety_risk": False},
                                        "findings": "甘秘儿童情况稳定"},
                            photo=SimpleUploadedFile("v.jpg", photo_bytes(19)))
    inst = tekun.create_institution(actor=owner, division=village.parent, name="秘密敬老院", kind="nursing_home",
                                    beds=10)
    tekun.admit(actor=owner, file=ef, institution=inst, bed="101")
    return Planted(scoped={"file_id": cf.pk, "visit_id": v.pk, "institution_id": inst.pk},
                   secrets=["甘秘老人", "甘秘儿童", "甘秘祖父", "秘密务工地", elder_id, child_id, "秘密敬老院"])
