"""Work notes (工作笔记): what a post holder must pass on, kept and closed by their owner."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.decorators import require_cap
from minzheng.accounts.roles import Cap
from minzheng.core import listexport
from minzheng.core.forms import add_errors_to_form
from minzheng.core.scoping import get_visible, visible

from .. import forms, staff
from ..models import WorkNote


@require_cap(Cap.EDIT_BUSINESS)
def notes_page(request: AuthedRequest) -> HttpResponse:
    form = forms.NoteForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            staff.add_note(actor=request.user, division=d["division"], title=d["title"], body=d["body"],
                           follow_up=d["follow_up"])
        except ValidationError as exc:
            add_errors_to_form(form, exc)
        else:
            messages.success(request, "已记下；离岗交接时会随岗位移交给接任人")
            return redirect("workforce:notes")
    notes = visible(WorkNote, request.user).filter(owner=request.user).select_related("division")
    if listexport.requested(request):
        return listexport.response(request, what="工作备忘", headers=["事项", "涉及区划", "内容", "跟进日期", "已办结"],
                                   rows=([n.title, n.division.name, n.body, n.follow_up, "是" if n.closed else "否"]
                                         for n in notes))
    return render(request, "workforce/notes.html", {"notes": notes, "form": form})


@require_cap(Cap.EDIT_BUSINESS)
@require_POST
def note_close(request: AuthedRequest, note_id: int) -> HttpResponse:
    note = get_visible(WorkNote, request.user, pk=note_id)
    if note.owner_id != request.user.pk:
        raise PermissionDenied("只能办结自己的笔记")
    staff.close_note(actor=request.user, note=note)
    return redirect("workforce:notes")
