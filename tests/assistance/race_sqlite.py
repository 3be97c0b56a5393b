"""Run two officers' actions on one case in two threads against a real SQLite file (WAL, IMMEDIATE transactions,
busy timeout: the production configuration). Invoked by test_workflow_concurrency in a subprocess, because the
in-memory test database cannot show file locking. Prints one JSON line: the two outcomes and the final state."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import threading
from typing import Any


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minzheng.settings")
    import django

    django.setup()
    from django.db import connection

    from minzheng.accounts import services as accounts
    from minzheng.assistance import services
    from minzheng.assistance.models import Application
    from minzheng.assistance.workflow import ConcurrentUpdate, WorkflowError
    from minzheng.core.setup import initialise
    from minzheng.regions.models import Division
    from tests.assistance.wf_fixtures import dibao_family

    initialise(io.StringIO(), verbosity=0)
    village = Division.objects.get(name="中山社区居委会")
    a = accounts.create_user(username="race_a", password="Race-Passw0rd!", role="township_officer",
                             division=village.parent, full_name="甲")
    b = accounts.create_user(username="race_b", password="Race-Passw0rd!", role="township_officer",
                             division=village.parent, full_name="乙")
    hh, head, _ = dibao_family(village)
    app = services.create_application(actor=a, programme_code="dibao_urban", household=hh, applicant=head,
                                      received_on=dt.date(2024, 5, 6))
    version = app.version
    barrier = threading.Barrier(2)
    results: list[str] = []

    def run(actor: Any, action: str) -> None:
        try:
            mine = Application.objects.get(pk=app.pk)
            barrier.wait(timeout=10)
            if action == "start":
                services.start_investigation(mine, actor=actor, version=version, today=dt.date(2024, 5, 6))
            else:
                services.withdraw(mine, actor=actor, version=version)
            results.append("ok")
        except (ConcurrentUpdate, WorkflowError) as exc:
            results.append("refused:" + exc.messages[0])
        except Exception as exc:  # reported to the test as a failure
            results.append(f"error:{exc!r}")
        finally:
            connection.close()  # each thread has its own connection; do not leave it open

    threads = [threading.Thread(target=run, args=(a, "start")), threading.Thread(target=run, args=(b, "withdraw"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    final = Application.objects.get(pk=app.pk)
    print(json.dumps({"results": results, "version": final.version, "start_version": version,
                      "status": final.status, "steps": final.opinions.exclude(
                          action__in=["accept", "kinship_flag"]).count()}, ensure_ascii=False))


if __name__ == "__main__":
    main()
