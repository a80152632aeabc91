"""Where cross-validation tasks run: serially, in worker processes, or on Dask.

A task is a module-level function ``fn(payload, shared)`` (it pickles to workers); ``shared``
(the experiments) reaches each worker once. Results are identical whatever the executor: each
task holds its process's torch state alone while it runs (:func:`task_env`).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

from xatgrn.utils import progress

__all__ = ["Executor", "task_env"]

_WORKER_SHARED: dict[str, Any] = {}
# torch's random state is per process: tasks sharing a process (a Dask worker with several
# threads, an in-process client) run one at a time, or their seeds would interleave.
_TASK_LOCK = threading.Lock()


@contextlib.contextmanager
def task_env(threads: int | None) -> Iterator[None]:
    """One task at a time per process, with ``threads`` torch threads (restored after)."""
    import torch

    with _TASK_LOCK:
        before = torch.get_num_threads()
        if threads:
            torch.set_num_threads(int(threads))
        try:
            yield
        finally:
            torch.set_num_threads(before)


def _init_worker(shared: dict[str, Any]) -> None:
    """Process-pool initializer: the experiments arrive once per worker, not once per task."""
    _WORKER_SHARED.clear()
    _WORKER_SHARED.update(shared)


def _pool_call(fn: Callable, payload: dict[str, Any]):
    return fn(payload, _WORKER_SHARED)


def _dask_call(fn: Callable, payload: dict[str, Any], shared: dict[str, Any]):
    return fn(payload, shared)


def _dask_client(dask: Any, workers: int):
    """``(client, owned_objects)``; a Client passed in is used as is and never closed."""
    from dask.distributed import Client, LocalCluster

    if isinstance(dask, Client):
        return dask, []
    if dask == "local":
        n = workers if workers > 1 else (os.cpu_count() or 1)
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True)
        client = Client(cluster)
        return client, [client, cluster]
    client = Client(dask)
    return client, [client]


class Executor:
    """Runs ``fn(payload, shared)`` tasks serially, in worker processes, or on Dask.

    ``shared`` (the experiments) reaches each worker once: through the pool initializer, or one
    broadcast Dask future. Pool / cluster start lazily (a fully resumed run starts nothing) and
    serve every phase of a run; ``close`` ends only what was started here.
    """

    def __init__(self, shared: dict[str, Any], *, workers: int = 1, dask: Any = None) -> None:
        self.shared, self.workers, self.dask = shared, workers, dask
        self._pool: ProcessPoolExecutor | None = None
        self._client, self._owned, self._shared_f = None, [], None

    def _start(self) -> None:
        if self.dask is not None and self._client is None:
            self._client, self._owned = _dask_client(self.dask, self.workers)
            # one future for the whole dict (scattering a dict would scatter its values)
            [self._shared_f] = self._client.scatter([self.shared], broadcast=True)
        elif self.dask is None and self.workers > 1 and self._pool is None:
            import multiprocessing as mp

            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=mp.get_context("spawn"),
                initializer=_init_worker,
                initargs=(self.shared,),
            )

    def map(
        self,
        fn: Callable,
        payloads: list[dict[str, Any]],
        on_result: Callable[[Any], None],
        *,
        desc: str,
        show: bool,
    ) -> None:
        """Run every payload; ``on_result`` is called in this process as each one finishes."""
        if not payloads:
            return
        self._start()
        bar = progress(total=len(payloads), enabled=show, desc=desc, unit="task")
        try:
            if self._client is not None:
                from dask.distributed import as_completed as dask_completed

                futures = [
                    self._client.submit(_dask_call, fn, p, self._shared_f, pure=False)
                    for p in payloads
                ]
                try:
                    for fut in dask_completed(futures):
                        on_result(fut.result())
                        bar.update(1)
                except BaseException:
                    self._client.cancel(futures)
                    raise
            elif self._pool is not None:
                futures = [self._pool.submit(_pool_call, fn, p) for p in payloads]
                try:
                    for fut in as_completed(futures):
                        on_result(fut.result())
                        bar.update(1)
                except BaseException:
                    self._pool.shutdown(wait=False, cancel_futures=True)
                    self._pool = None
                    raise
            else:
                for p in payloads:
                    on_result(fn(p, self.shared))
                    bar.update(1)
        finally:
            bar.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        for obj in self._owned:  # never a client the caller passed in
            obj.close()
        self._owned, self._client = [], None
