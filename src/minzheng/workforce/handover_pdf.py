"""交接清单: the printable hand-over note, signed by the leaver, the successor and the township."""

from __future__ import annotations

from minzheng.core.pdf import Document

from .models import Handover


def render(h: Handover) -> bytes:
    doc = Document("民政岗位工作交接清单", subtitle=f"{h.post.division.full_name} · {h.post}")
    doc.field_rows([
        ("岗位", f"{h.post}（{h.post.get_kind_display()}）"),
        ("离岗人", h.leaver.name),
        ("离岗原因", h.get_reason_display()),
        ("接任人", h.successor.name if h.successor else "暂缺"),
        ("事项接收账号", (h.receiver.full_name or h.receiver.username) if h.receiver else "—"),
        ("交接日期", f"{h.date:%Y年%m月%d日}"),
        ("办理人", h.performed_by or "—"),
    ])
    doc.ln(4)
    doc.paragraph("一、移交的未办事项")
    rows = [(k, v) for k, v in h.moved.items()] or [("（离岗人名下无未办事项）", 0)]
    doc.table(["事项类别", "件数"], rows, [120, 40], align=["L", "R"])
    doc.ln(2)
    doc.paragraph("二、交接后离岗人名下剩余未办事项")
    left = [(k, v) for k, v in h.left_open.items() if v]
    doc.paragraph("无。经系统核对，全部未办事项均已移交，无无人负责的事项。" if not left else
                  "；".join(f"{k} {v} 项" for k, v in left))
    if h.note:
        doc.paragraph(f"三、交接说明：{h.note}")
    doc.paragraph("四、移交的纸质台账、档案、印章及其他物品（手写）：")
    doc.ln(18)
    doc.signatures(["移交人", "接收人", "监交人(乡镇)"])
    return doc.render()
