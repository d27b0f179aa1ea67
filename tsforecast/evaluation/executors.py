"""Where the tasks of a comparison run: in this process, on joblib workers or on Dask.

:func:`run_tasks` calls one function on the arguments of every task and yields the
results in task order, whatever the backend, so that every backend gives the same tables.
Tasks are consumed lazily, so at most a bounded number are in flight (and in memory) at a
time. A task is any object with ``args`` (the function's arguments) and ``describe()``
(what it computes, for error messages).
"""

import numbers
import os
import uuid

from tsforecast.validation import InputValueError

__all__ = ["BACKENDS", "check_backend", "run_tasks"]

#: Names of the backends: joblib's, and "dask" for a ``dask.distributed`` cluster.
BACKENDS = ("loky", "threading", "multiprocessing", "dask")
#: Attempts of a Dask task after the first: both for exceptions and for lost workers.
_DASK_RETRIES = 2


def check_backend(n_jobs, backend, address):
    """Check the parallel settings of :func:`run_tasks`; returns ``n_jobs`` as an ``int``."""
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral) or n_jobs == 0:
        raise InputValueError(
            f"`n_jobs`={n_jobs!r} must be a non-zero integer (1 = serial, -1 = all cores)."
        )
    if backend not in BACKENDS:
        raise InputValueError(
            f"`backend`={backend!r} must be 'loky', 'threading', 'multiprocessing' or 'dask'."
        )
    if address is not None and backend != "dask":
        raise InputValueError("`address` is a Dask scheduler; pass it with `backend='dask'`.")
    return int(n_jobs)


def run_tasks(function, tasks, *, total, n_jobs=1, backend="loky", address=None):
    """Yield ``(task, function(*task.args))`` for every task, in task order.

    Parameters
    ----------
    function : callable
        A module-level function (it is pickled for worker processes).
    tasks : iterable
        Objects with ``args`` and ``describe()``; consumed lazily.
    total : int
        Number of tasks, which sizes joblib's batches.
    n_jobs : int, default=1
        Workers (joblib convention: ``-1`` = all cores); 1 runs in this process. With
        ``backend="dask"`` and no ``address``, the number of local Dask workers.
    backend : {"loky", "threading", "multiprocessing", "dask"}, default="loky"
        A joblib backend, or ``"dask"``: the scheduler at ``address`` (or an existing
        ``Client``), else a ``LocalCluster`` of ``n_jobs`` single-threaded worker
        processes, started and closed here. A Dask task that fails or whose worker dies is
        retried twice, then a ``RuntimeError`` names it.
    address : str or dask.distributed.Client, optional
        Scheduler address such as ``"tcp://10.0.0.5:8786"`` (``backend="dask"`` only).
    """
    if backend == "dask":
        return _run_dask(function, tasks, n_jobs, address)
    if n_jobs == 1:
        return _run_serial(function, tasks)
    return _run_joblib(function, tasks, n_jobs, backend, total)


def _n_workers(n_jobs):
    """Number of worker processes for ``n_jobs`` (joblib convention: -1 = all cores)."""
    return n_jobs if n_jobs > 0 else max(1, (os.cpu_count() or 1) + 1 + n_jobs)


def _run_serial(function, tasks):
    for task in tasks:
        yield task, function(*task.args)


def _run_joblib(function, tasks, n_jobs, backend, total):
    from joblib import Parallel, delayed

    pending = []

    def calls():
        for task in tasks:
            pending.append(task)
            yield delayed(function)(*task.args)

    # Baseline tasks take about a millisecond: joblib's adaptive batching stays far too
    # small for them (2 workers ran slower than 1), fixed batches of up to 256 tasks,
    # about 16 per worker over the run, keep the workers busy and heavy models balanced.
    n_workers = _n_workers(n_jobs)
    batch_size = max(1, min(256, total // (16 * n_workers)))
    results = Parallel(
        n_jobs=n_jobs,
        backend=backend,
        return_as="generator",
        batch_size=batch_size,
        pre_dispatch="4 * n_jobs",
    )(calls())
    for k, result in enumerate(results):
        yield pending[k], result
        pending[k] = None


def _run_dask(function, tasks, n_jobs, address):
    from dask.distributed import Client, LocalCluster, as_completed
    from distributed.scheduler import KilledWorker

    closers = []
    if isinstance(address, Client):
        client = address
    elif address is None:
        n_workers = _n_workers(n_jobs)
        cluster = LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        client = Client(cluster)
        closers = [client.close, cluster.close]
    else:
        client = Client(address)
        closers = [client.close]
    try:
        n_threads = max(1, sum(client.nthreads().values()))
        in_flight = max(32, 8 * n_threads)
        prefix = f"tsforecast-{uuid.uuid4().hex[:8]}"
        tasks = enumerate(tasks)
        submitted, done = {}, {}
        futures = as_completed()

        def submit(k, task, attempt):
            future = client.submit(
                function,
                *task.args,
                key=f"{prefix}-{k}-{attempt}",
                retries=_DASK_RETRIES,
                pure=False,
            )
            submitted[future.key] = (k, task, attempt)
            futures.add(future)

        def submit_next():
            item = next(tasks, None)
            if item is not None:
                submit(*item, 0)

        for _ in range(in_flight):
            submit_next()
        next_out = 0
        for future in futures:
            k, task, attempt = submitted.pop(future.key)
            try:
                result = future.result()
            except KilledWorker as exc:
                # The scheduler already moved the task after each lost worker; a fresh
                # submission gives it a new allowance, as `retries` does for exceptions.
                if attempt < _DASK_RETRIES:
                    future.release()
                    submit(k, task, attempt + 1)
                    continue
                _cancel(futures)
                raise RuntimeError(
                    f"The comparison task for {task.describe()} was lost with its Dask worker "
                    f"{attempt + 1} times (the worker process died: {exc}). A worker that dies "
                    "usually ran out of memory or crashed in native code: give workers more "
                    "memory, use fewer of them, or run this model with backend='loky'."
                ) from exc
            except Exception as exc:
                _cancel(futures)
                raise RuntimeError(
                    f"The comparison task for {task.describe()} failed on the Dask cluster "
                    f"after {_DASK_RETRIES} retries: {type(exc).__name__}: {exc}"
                ) from exc
            future.release()
            done[k] = (task, result)
            submit_next()
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
    finally:
        for close in closers:
            close()


def _cancel(futures):
    for future in list(futures.futures):
        future.cancel()
