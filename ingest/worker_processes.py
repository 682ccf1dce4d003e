"""Worker processes for CPU-bound parsing (threads would not help Python code).

Spawned, not forked: forking a process that runs threads can hang. A spawned worker normally
imports the parent's main module first, so that functions defined there can be unpickled; for
`chatlake` that is the whole command line (2.5 s a worker, measured: more than parsing all
67 shared files takes). The functions run here live in importable modules, so workers are
started with the main module hidden and import only what the function needs.

A worker whose parent dies (a SIGKILLed `chatlake import`) exits: it would otherwise wait for
work forever, since it holds both ends of its task queue.
"""

import multiprocessing
import os
import sys
import threading
import time
import types
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from typing import Any


def run_in_workers(function: Callable[..., Any], calls: Iterable[tuple[Any, ...]],
                   jobs: int) -> Iterator[Any]:
    """`function(*args)` for each of `calls`, `jobs` at a time in worker processes; results
    as they finish. `function` must be importable (not defined in `__main__`)."""
    calls = list(calls)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(calls))),
                             mp_context=context, initializer=_exit_with_parent,
                             initargs=(os.getpid(),)) as pool:
        with _main_module_hidden():  # workers start on submit
            futures = [pool.submit(function, *args) for args in calls]
        for future in as_completed(futures):
            yield future.result()


@contextmanager
def _main_module_hidden() -> Iterator[None]:
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def _exit_with_parent(parent: int) -> None:
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
