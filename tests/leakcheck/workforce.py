from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile

from minzheng.core import dates

from .planted import Planted


def plant(village: Any, owner: Any) -> Planted:
    """A coordinator post with history and a hand-over, a 民情 item, a township training session, a meeting and a
    document sent down — all in `village` (and its township)."""
    from minzheng.workforce import staff
    from minzheng.workforce.models import (
        Circular,
        CircularReceipt,
        CoordinatorMeeting,
        NeedReport,
        NeedSource,
        PostKind,
        TrainingLevel,
        TrainingMaterial,
        TrainingSession,
        WorkNote,
    )

    township = village.parent
    today = dates.today()
    post = staff.create_post(division=village, kind=PostKind.VILLAGE_COORDINATOR)
    leaver = staff.create_staff(division=village, name="钱秘协管")
    successor = staff.create_staff(division=village, name="孙秘接任")
    holding = staff.appoint(post=post, staff=leaver, start=dt.date(2020, 1, 1))
    handover = staff.hand_over(post=post, on=dt.date(2023, 6, 1), reason="resigned", successor=successor)
    need = NeedReport.objects.create(village=village, category="hardship", description="周秘困难户独居无人照料",
                                     source=NeedSource.PUBLIC, reporter_name="吴秘反映",
                                     reporter_phone="13900001111", deadline=today, created_at=dates.now(),
                                     photo=ContentFile(b"\x89PNG\r\n", name="leak.png"))
    session = TrainingSession.objects.create(division=township, level=TrainingLevel.TOWNSHIP, date=today,
                                             topic="协管员培训")
    material = TrainingMaterial.objects.create(session=session, title="课件", link="https://example.org/k")
    meeting = CoordinatorMeeting.objects.create(township=township, date=today, topic="例会")
    meeting.attendees.add(successor)
    circular = Circular.objects.create(issuer=township, title="乡镇通知", published_at=dates.now(),
                                       link="https://example.org/c")
    receipt = CircularReceipt.objects.create(circular=circular, recipient=village)
    note = WorkNote.objects.create(division=village, owner=owner, title="回访周秘困难户")
    return Planted(
        scoped={"post_id": post.pk, "staff_id": leaver.pk, "handover_id": handover.pk, "needreport_id": need.pk,
                "session_id": session.pk, "material_id": material.pk, "meeting_id": meeting.pk,
                "circular_id": circular.pk, "receipt_id": receipt.pk, "note_id": note.pk,
                "holding_id": holding.pk},
        plain={"assess_year": today.year},
        secrets=["钱秘协管", "孙秘接任", "吴秘反映", "周秘困难户", "13900001111"],
    )
