"""Jurisdiction leak test: a phone signed in by a coordinator of the victim's village (its revoke route), and a
photo upload in progress by the victim township's officer (its resumable-upload routes)."""

from __future__ import annotations

from typing import Any

from minzheng.core import dates

from .planted import Planted


def plant(village: Any, owner: Any) -> Planted:
    from minzheng.accounts import services as accounts
    from minzheng.accounts.roles import Role
    from minzheng.fieldapp.models import ChunkedUpload, FieldDevice

    user = accounts.create_user(username="leak_field_coordinator", password=None, role=Role.VILLAGE_COORDINATOR,
                                division=village)
    device = FieldDevice.objects.create(user=user, division=village, label="秘密外勤手机甲", key_hash="0" * 64,
                                        created_at=dates.now())
    up = ChunkedUpload.objects.create(user=owner, client_id="leak-upload-0001", division=owner.division, size=10,
                                      sha256="0" * 64, created_at=dates.now())
    return Planted(scoped={"device_id": device.pk, "upload_key": up.client_id}, secrets=["秘密外勤手机甲"])
