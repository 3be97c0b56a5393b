"""Ledger import pages: upload → preview (dry run, with progress bar) → confirm → import; error workbook download.

Thin views over registry.ledger.jobs (runs queued for the worker process) and registry.ledger.service.import_ledger.
"""

from __future__ import annotations

from django import forms
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.decorators import require_cap
from minzheng.accounts.roles import Cap
from minzheng.audit import services as audit
from minzheng.core import filebounds

from .ledger import jobs
from .ledger.columns import CANONICAL_ORDER, canonical_headers
from .ledger.reader import LedgerFileError


class UploadForm(forms.Form):
    file = forms.FileField(label="台账文件", help_text="Excel (.xlsx / .xls) 或 CSV（UTF-8 或 GBK）")
    programme = forms.CharField(label="救助项目", required=False, max_length=64,
                                help_text="可不填：按工作表名称、标题或“保障类别”列判断")

    def clean_file(self) -> object:
        f = self.cleaned_data["file"]
        try:
            filebounds.check_size(f.size)
        except filebounds.FileBoundError as exc:
            raise forms.ValidationError(str(exc)) from None
        return f


def _programmes() -> list[tuple[str, str]]:
    from .models import Programme

    return list(Programme.objects.filter(active=True).values_list("code", "name"))


@require_cap(Cap.IMPORT)
@require_http_methods(["GET", "POST"])
def import_upload(request: AuthedRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        up = form.cleaned_data["file"]
        try:
            job = jobs.create_job(request.user, up.name, up.chunks(), programme=form.cleaned_data["programme"])
        except LedgerFileError as exc:
            error = str(exc)
        else:
            jobs.start(job, jobs.Mode.PREVIEW, user=request.user)
            return redirect("registry:import_job", importjob_id=job.id)
    return render(request, "registry/import_upload.html", {
        "form": form, "error": error, "programmes": _programmes(), "recent": jobs.recent_jobs(request.user),
        "columns": canonical_headers(CANONICAL_ORDER),
    })


@require_cap(Cap.IMPORT)
@require_GET
def import_job(request: AuthedRequest, importjob_id: str) -> HttpResponse:
    job = jobs.get_job(request.user, importjob_id)
    template = "registry/import_progress.html" if request.htmx else "registry/import_job.html"
    response = render(request, template, {"job": job, "s": job.state})
    if request.htmx and not job.running:
        response["HX-Refresh"] = "true"     # finished: reload the whole page to show the result
    return response


@require_cap(Cap.IMPORT)
@require_POST
def import_job_commit(request: AuthedRequest, importjob_id: str) -> HttpResponse:
    job = jobs.get_job(request.user, importjob_id)
    preview = job.state.get("preview")
    mode = jobs.Mode.SKIP if request.POST.get("mode") == "skip" else jobs.Mode.ATOMIC
    if job.running or preview is None or job.state.get("result", {}).get("imported"):
        return redirect("registry:import_job", importjob_id=job.id)
    if not job.ledger.exists():
        job.state.update(status=jobs.Status.FAILED, message="上传的文件已过期，请重新上传")
        job.save()
        return redirect("registry:import_job", importjob_id=job.id)
    jobs.start(job, mode, user=request.user)
    return redirect("registry:import_job", importjob_id=job.id)


@require_cap(Cap.IMPORT)
@require_GET
def import_job_errors(request: AuthedRequest, importjob_id: str) -> HttpResponse:
    job = jobs.get_job(request.user, importjob_id)
    if not job.errors_path.exists():
        return redirect("registry:import_job", importjob_id=job.id)
    data = job.errors_path.read_bytes()
    result = job.state.get("result") or {}
    audit.record_output("export", what="台账导入错误清单", division_code=request.user.division.code,
                        count=int(result.get("error_count", 0)) + int(result.get("warning_count", 0)),
                        detail={"file": job.state["file_name"], "job": job.id})
    name = f"导入错误清单-{job.state['file_name'].rsplit('.', 1)[0]}.xlsx"
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
