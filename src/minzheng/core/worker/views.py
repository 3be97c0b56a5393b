"""Task pages: my background jobs, one job with a progress bar the page polls (HTMX) until it ends."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from minzheng.accounts.actor import AuthedRequest

from . import services


@login_required
@require_GET
def job_list(request: AuthedRequest) -> HttpResponse:
    return render(request, "core/jobs.html", {"jobs": services.jobs_for(request.user)[:50]})


@login_required
@require_GET
def job_detail(request: AuthedRequest, job_id: int) -> HttpResponse:
    job = services.get_job(request.user, job_id)
    if request.htmx:
        response = render(request, "core/_job_status.html", {"job": job})
        if not job.live:
            response["HX-Refresh"] = "true"     # finished: reload to show the outcome
        return response
    return render(request, "core/job.html", {"job": job})


@login_required
@require_GET
def export_download(request: AuthedRequest, export_id: int) -> HttpResponseBase:
    """A big export's file (core.exportjobs): only for the user who asked, until it expires; audited."""
    from minzheng.core import exportjobs

    return exportjobs.download(request, export_id)
