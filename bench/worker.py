"""`python -m bench.worker lifecycle|prime_renewal YYYY-MM-DD`: run one prepaid job the way the Celery worker does
(the task function, which calls core.jobs.job_run), in a fresh process, and print JSON with its wall time and the
process's peak resident memory (getrusage ru_maxrss), before and during the job."""

import json
import os
import resource
import sys
import time


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def main() -> None:
    job, day = sys.argv[1], sys.argv[2]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from core.models import JobRun
    from prepaid import tasks

    task = {"lifecycle": tasks.lifecycle_task, "prime_renewal": tasks.prime_renewal_task}[job]
    JobRun.objects.exists()  # open the connection before the baseline
    baseline = _rss_mb()
    started = time.perf_counter()
    run_id = task(day=day, force=True)["run"]
    seconds = time.perf_counter() - started
    run = JobRun.objects.get(pk=run_id)
    print(json.dumps({
        "job": job, "seconds": round(seconds, 2), "peak_rss_mb": round(_rss_mb(), 1),
        "rss_before_job_mb": round(baseline, 1), "status": run.status, "chunks": run.chunks,
        "selected": run.selected, "changed": run.changed, "skipped": run.skipped, "failed": run.failed,
    }))


if __name__ == "__main__":
    main()
