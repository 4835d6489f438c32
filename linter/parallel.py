"""Parsing over worker processes (--jobs N), with a crashed parser confined to its own files.

How a crash is handled, and why this way:

1. The work items (one file, or one Terraform module) are cut into batches and parsed in a
   `ProcessPoolExecutor`; each result goes back to its item's slot, so the outcome order never depends on which
   worker finished first.
2. A worker that dies (a C parser overflowing its stack, the out-of-memory killer, a signal) breaks the whole pool:
   every batch without a result fails with `BrokenProcessPool`, and there is no telling which item killed it.
   Those items are then parsed again **one per fresh process** (`jobs` at a time). An item whose process dies
   again is the culprit: its files get MWAA000 "parser crashed: ...", and every other file is analysed as usual.

A crash is rare (the depth and alias pre-scans stop the known causes before any parser runs), so the cost of
step 2 — a process per remaining item — is paid only by a run that has already lost a worker. With `--jobs 1`,
or below the size threshold of `linter.run.parse_all`, files are parsed in the main process: the pre-scans are
then the only guard, as the cost of a process per file would fall on every run.
"""
from __future__ import annotations

import math
import os
from collections import deque

from .run import failed_item, item_paths, parse_item

BATCHES_PER_WORKER = 8  # smaller batches balance uneven files; fewer batches cost less to send


def parse_in_processes(items: list, jobs: int, debug: bool = False) -> list | None:
    """Outcomes of each work item (a list per item, in item order), parsed by up to `jobs` processes; None when
    this system cannot run a process pool (no working sem_open, e.g. AWS Lambda): the caller parses in-process."""
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    import gc

    results: list = [None] * len(items)
    batches = make_batches(items, jobs)
    try:
        executor = ProcessPoolExecutor(max_workers=min(jobs, len(batches)), initializer=_ignore_interrupts)
    except (OSError, ImportError, NotImplementedError):
        return None
    collecting = gc.isenabled()
    gc.disable()  # results are unpickled by the executor's thread: no collections while they pour in (see parse_all)
    try:
        futures = {}
        for batch in batches:
            try:
                futures[executor.submit(_parse_batch, [items[i] for i in batch], debug)] = batch
            except BrokenProcessPool:  # a worker died already: the batches not submitted are parsed below
                break
        for future in as_completed(futures):
            batch = futures[future]
            try:
                outcomes = future.result()
            except BrokenProcessPool:
                continue  # parsed again below, one item per process
            except Exception:  # the result could not travel back (a bug): parse the batch here instead
                if debug:
                    raise
                outcomes = [parse_item(items[i], debug) for i in batch]
            for index, outcome in zip(batch, outcomes):
                results[index] = outcome
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        gc.freeze()
        if collecting:
            gc.enable()
    missing = [i for i, found in enumerate(results) if found is None]
    if missing:
        for index, outcome in zip(missing, parse_isolated([items[i] for i in missing], jobs, debug)):
            results[index] = outcome
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


def _parse_batch(batch: list, debug: bool) -> list:
    import gc

    outcomes = []
    for item in batch:
        outcomes.append(parse_item(item, debug))
        gc.freeze()  # as in linter.run.parse_all
    return outcomes


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C to the main process (which stops the run); otherwise each would print a traceback."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def parse_isolated(items: list, jobs: int, debug: bool = False) -> list:
    """Each item parsed in a process of its own, up to `jobs` at a time; an item whose process dies gets MWAA000."""
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
                process = context.Process(target=_parse_alone, args=(items[index], debug, writer), daemon=True)
                try:
                    process.start()
                except OSError:  # no process to be had (memory, process limit): parse it here
                    reader.close()
                    writer.close()
                    results[index] = parse_item(items[index], debug)
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
                    if debug:
                        raise RuntimeError(f"parsing {', '.join(item_paths(items[index]))} failed in a worker:\n{payload}")
                    results[index] = failed_item(items[index], f"internal error while reading this file ({payload.strip().splitlines()[-1]}); not analysed")
                else:
                    results[index] = failed_item(items[index], crash_message(process.exitcode))
    finally:
        for reader, (_, process) in running.items():
            process.kill()
            process.join()
            reader.close()
    return results


def _parse_alone(item: tuple, debug: bool, writer) -> None:
    _ignore_interrupts()
    try:
        outcome = ("ok", parse_item(item, debug))
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
