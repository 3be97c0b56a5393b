"""The task worker: long jobs run in a separate process (`minzheng worker`, started by `minzheng serve`).

    kinds.py     the job kinds (import, 核对, payroll generation, export, daily sweeps): function, heavy or not
    services.py  submit a job (a Job row + a django-tasks task in the same transaction), find jobs a user may see
    tasks.py     the one django-tasks task, run_job(job_id), that runs a Job's function
    runner.py    the worker loop: claim under the heavy-job limit, heartbeat, recover jobs of dead workers, drain()
    housekeeping.py  at start: sweep crashed temp folders; each day: queue the sweeps
    views.py / api.py  the task pages (HTMX status fragment) and /api/tasks

A job's function takes a JobRun (progress reporting) and the job's params and returns a JSON-able result; it does
its writes in transactions, so a worker killed mid-job leaves nothing half-written, and the job is marked failed on
the next worker start (dead process on this host) or after the lease (another host).
"""
