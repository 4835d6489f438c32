"""Work items checked by worker processes (--jobs N), with a crashed parser confined to its own files.

Each worker receives the Checker (rules and configuration) once, then batches of work items (one file, or one
Terraform module); it parses, runs the rules and sends back only each item's findings and suppressions.

How a crash is handled, and why this way:

1. The batches run in a `ProcessPoolExecutor`; each result goes back to its item's slot, so the result order never
   depends on which worker finished first.
2. A worker that dies (a C parser overflowing its stack, the out-of-memory killer, a signal) breaks the whole pool:
   every batch without a result fails with `BrokenProcessPool`, and there is no telling which item killed it.
   Those items are then checked again **one per fresh process** (`jobs` at a time). An item whose process dies
   again is the culprit: its files get MWAA000 "parser crashed: ...", and every other file is analysed as usual.

A crash is rare (the depth and alias pre-scans stop the known causes before any parser runs), so the cost of
step 2 — a process per remaining item — is paid only by a run that has already lost a worker. With `--jobs 1`,
or below the size threshold of `linter.run.lint_items`, files are checked in the main process: the pre-scans are
then the only guard, as the cost of a process per file would fall on every run.
"""
from __future__ import annotations

import math
import os
from collections import deque

from .run import Checker, failed_item, item_paths

BATCHES_PER_WORKER = 8  # smaller batches balance uneven files; fewer batches cost less to send


def lint_in_processes(checker: Checker, items: list, jobs: int) -> list | None:
    """The ItemResult of each work item, in item order, checked by up to `jobs` processes; None when this system
    cannot run a process pool (no working sem_open, e.g. AWS Lambda): the caller checks in-process."""
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    results: list = [None] * len(items)
    batches = make_batches(items, jobs)
    try:
        executor = ProcessPoolExecutor(max_workers=min(jobs, len(batches)), initializer=_start_worker, initargs=(checker,))
    except (OSError, ImportError, NotImplementedError):
        return None
    try:
        futures = {}
        for batch in batches:
            try:
                futures[executor.submit(_lint_batch, [items[i] for i in batch])] = batch
            except BrokenProcessPool:  # a worker died already: the batches not submitted are checked below
                break
        for future in as_completed(futures):
            batch = futures[future]
            try:
                batch_results = future.result()
            except BrokenProcessPool:
                continue  # checked again below, one item per process
            except Exception:  # the result could not travel back (a bug): check the batch here instead
                if checker.debug:
                    raise
                batch_results = [checker.lint_item(items[i]) for i in batch]
            for index, result in zip(batch, batch_results):
                results[index] = result
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
    missing = [i for i, found in enumerate(results) if found is None]
    if missing:
        for index, result in zip(missing, lint_isolated(checker, [items[i] for i in missing], jobs)):
            results[index] = result
    return results


def make_batches(items: list, jobs: int) -> list:
    """Item indexes cut into runs of similar size (by count and by bytes), the heaviest runs first."""
    sizes = [sum(_size(path) for path in item_paths(item)) for item in items]
    slots = max(1, jobs * BATCHES_PER_WORKER)
    most_items = max(1, math.ceil(len(items) / slots))
    most_bytes = max(1, math.ceil(sum(sizes) / slots))
    batches: list = []
    current: list = []
    weight = 0
    for index, size in enumerate(sizes):
        current.append(index)
        weight += size
        if len(current) >= most_items or weight >= most_bytes:
            batches.append((weight, current))
            current, weight = [], 0
    if current:
        batches.append((weight, current))
    batches.sort(key=lambda entry: -entry[0])  # stable: equal weights keep item order
    return [batch for _, batch in batches]


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


_CHECKER: Checker | None = None  # a worker's own, set once when it starts


def _start_worker(checker: Checker) -> None:
    global _CHECKER
    _ignore_interrupts()
    _CHECKER = checker


def _lint_batch(batch: list) -> list:
    return [_CHECKER.lint_item(item) for item in batch]


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C to the main process (which stops the run); otherwise each would print a traceback."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def lint_isolated(checker: Checker, items: list, jobs: int) -> list:
    """Each item checked in a process of its own, up to `jobs` at a time; an item whose process dies gets MWAA000."""
    import multiprocessing
    from multiprocessing.connection import wait

    context = multiprocessing.get_context()
    results: list = [None] * len(items)
    waiting = deque(range(len(items)))
    running: dict = {}  # reading end of the pipe -> (item index, process)
    try:
        while waiting or running:
            while waiting and len(running) < max(1, jobs):
                index = waiting.popleft()
                reader, writer = context.Pipe(duplex=False)
                process = context.Process(target=_lint_alone, args=(checker, items[index], writer), daemon=True)
                try:
                    process.start()
                except OSError:  # no process to be had (memory, process limit): check it here
                    reader.close()
                    writer.close()
                    results[index] = checker.lint_item(items[index])
                    continue
                writer.close()
                running[reader] = (index, process)
            for reader in wait(list(running)):
                index, process = running.pop(reader)
                try:
                    status, payload = reader.recv()
                except Exception:  # EOF or a truncated message: the process died
                    status, payload = "died", None
                reader.close()
                process.join()
                if status == "ok":
                    results[index] = payload
                elif status == "raised":
                    if checker.debug:
                        raise RuntimeError(f"checking {', '.join(item_paths(items[index]))} failed in a worker:\n{payload}")
                    message = f"internal error while reading this file ({payload.strip().splitlines()[-1]}); not analysed"
                    results[index] = checker.check(failed_item(items[index], message))
                else:
                    results[index] = checker.check(failed_item(items[index], crash_message(process.exitcode)))
    finally:
        for reader, (_, process) in running.items():
            process.kill()
            process.join()
            reader.close()
    return results


def _lint_alone(checker: Checker, item: tuple, writer) -> None:
    _ignore_interrupts()
    try:
        outcome = ("ok", checker.lint_item(item))
        writer.send(outcome)
    except Exception:  # raised with --debug, or the result does not pickle: tell the parent
        import traceback

        writer.send(("raised", traceback.format_exc()))
    finally:
        writer.close()


def crash_message(exitcode: int | None) -> str:
    """MWAA000's message for a file whose parser process died."""
    import signal

    if exitcode is not None and exitcode < 0:
        try:
            how = f"signal {-exitcode}, {signal.Signals(-exitcode).name}"
        except ValueError:
            how = f"signal {-exitcode}"
        if -exitcode == signal.SIGKILL:
            how += ", e.g. the out-of-memory killer"
    else:
        how = f"exit status {exitcode}"
    return f"parser crashed: the process reading this file died ({how}); not analysed"
