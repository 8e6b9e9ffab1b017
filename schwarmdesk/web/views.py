from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from schwarmdesk.core.queue import get_huey
from schwarmdesk.web.health import check_database, check_worker_queue


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html")


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    checks = [check_database(), check_worker_queue(get_huey())]
    is_ok = all(check.is_ok for check in checks)
    return JsonResponse(
        {
            "status": "ok" if is_ok else "failing",
            "checks": {check.name: {"ok": check.is_ok, "detail": check.detail} for check in checks},
        },
        status=200 if is_ok else 503,
    )
