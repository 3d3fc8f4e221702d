"""ThreadExecutor: runs a job's items on a pool of threads in this process.

For work that waits on something outside the GIL: an LLM server with several generation slots
(``LocalLLM`` with ``n_parallel``, or an OpenAI-compatible server), where one item at a time would
leave slots idle. The executor keeps exactly ``workers`` items in flight and yields each outcome
the moment it finishes, so the runner (which stays in the calling thread) commits it at once; a
crash loses at most the ``workers`` items in flight, which a resume runs again.

The work function must be safe to call from several threads: build shared resources (the
database engine, the model) before the job starts, not lazily inside ``work`` (see
:func:`shopops.copy.batch.generate_catalog`, which touches ``ctx.db`` and ``ctx.llm`` first).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from shopops.errors import JobError
from shopops.jobs.executors import ItemOutcome, WorkFn, run_one


class ThreadExecutor:
    """Up to ``workers`` items at once on threads; outcomes in completion order."""

    name = "threads"

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise JobError(f"a thread executor needs at least 1 worker, got {workers}")
        self.workers = workers

    def map(self, work: WorkFn, keys: Iterable[str]) -> Iterator[ItemOutcome]:
        pending = iter(keys)
        pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="shopops-job")
        running: set[Future[ItemOutcome]] = set()
        try:
            # Submit lazily: only `workers` items are ever started and not yet reported.
            for key in pending:
                running.add(pool.submit(run_one, work, key))
                if len(running) >= self.workers:
                    break
            while running:
                finished, running = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    yield future.result()  # run_one turns the work's exceptions into outcomes
                    key = next(pending, None)
                    if key is not None:
                        running.add(pool.submit(run_one, work, key))
        finally:
            # On Ctrl-C or a closed generator nothing new starts; items in flight finish on their
            # own (threads cannot be stopped) and are not recorded, so a resume redoes them.
            pool.shutdown(wait=False, cancel_futures=True)
