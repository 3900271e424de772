"""Running the checks in several processes (`--jobs`), with the same results as one.

The work is split by check, not by record: every process reads the whole input and runs its
own share of the checks over every record, in file order. A check therefore sees exactly
what it sees in a single process, so its findings and summary cannot depend on the number of
processes, and no check needs to know how to merge partial states. The price is that each
process parses the input once more, which costs far less than the checks themselves.

The checks are dealt to the processes by their declared `cost` (heaviest first, each to the
least loaded process), so the split is the same on every run. Processes are forked (the
checks are already configured and started in the parent) and ignore Ctrl-C: the parent
stops them when it is interrupted or terminated.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
from collections.abc import Callable, Iterable, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any

from sftlint.check import Check
from sftlint.errors import SftlintError, described
from sftlint.io import rereadable
from sftlint.tables import input_size

#: inputs smaller than this (bytes, in all) are linted in one process unless --jobs says otherwise:
#: below it, starting processes costs about as much as it saves.
AUTO_MIN_BYTES = 4 * 1024 * 1024

#: the signals that stop a run: Ctrl-C and SIGTERM (what `timeout` and a cancelled CI job send)
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def choose_jobs(jobs: int | None, paths: Sequence[str]) -> int:
    """Processes for a run: `jobs` if given, else every core for inputs of AUTO_MIN_BYTES or more.

    Every process reads the whole input, so an input that can be read only once (standard
    input, a pipe, a FIFO, a device: anything but a regular file) makes it one process: several
    would share the stream out among themselves.
    """
    if not can_fork() or not all(rereadable(path) for path in paths):
        return 1  # a file that cannot be read (the reader reports it) included
    if jobs is not None:
        return jobs
    size = sum(input_size(path) for path in paths)
    return available_cores() if size >= AUTO_MIN_BYTES else 1


def deal(checks: Sequence[Check], processes: int) -> list[list[Check]]:
    """Split `checks` into at most `processes` groups of about equal total cost, deterministically."""
    groups: list[list[Check]] = [[] for _ in range(max(1, min(processes, len(checks))))]
    loads = [0.0] * len(groups)
    for check in sorted(checks, key=lambda c: (-c.cost, c.code)):
        lightest = loads.index(min(loads))
        groups[lightest].append(check)
        loads[lightest] += check.cost
    order = {id(c): i for i, c in enumerate(checks)}
    return [sorted(group, key=lambda c: order[id(c)]) for group in groups]


class Workers:
    """Forked processes that each run `work(group)` and send back its result."""

    def __init__(self, groups: Sequence[list[Check]], work: Callable[[list[Check]], Any]) -> None:
        context = multiprocessing.get_context("fork")
        self.groups = list(groups)
        self.processes = []
        self.connections: list[Connection] = []
        # Ctrl-C and SIGTERM wait while the workers are forked: a worker must not receive one
        # before it has set its own handlers (it would run the parent's and print a traceback).
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            for group in self.groups:
                receive, send = context.Pipe(duplex=False)
                process = context.Process(target=_serve, args=(work, group, send, previous), daemon=True)
                process.start()
                send.close()
                self.processes.append(process)
                self.connections.append(receive)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)

    def results(self) -> list[Any]:
        """Each worker's result, in the order of the groups; a worker's exception is raised here."""
        results: list[Any] = [None] * len(self.connections)
        pending = dict(zip(self.connections, range(len(self.connections)), strict=True))
        while pending:
            for connection in wait(list(pending)):
                index = pending.pop(connection)  # type: ignore[call-overload]
                results[index] = self._receive(index, connection)
        for process in self.processes:
            process.join()
        return results

    def _receive(self, index: int, connection: Connection) -> Any:
        try:
            ok, payload = connection.recv()
        except EOFError:
            self.processes[index].join()
            codes = ", ".join(c.code for c in self.groups[index])
            raise SftlintError(
                f"the process running {codes} stopped (exit code {self.processes[index].exitcode}), "
                "most likely out of memory; run with --jobs 1 to use less"
            ) from None
        if not ok:
            raise payload
        return payload

    def stop(self) -> None:
        """End every worker still running (after an error or Ctrl-C in the parent)."""
        for process in self.processes:
            if process.is_alive():
                process.terminate()
        for process in self.processes:
            process.join()


def _serve(
    work: Callable[[list[Check]], Any], group: list[Check], send: Connection, mask: Iterable[signal.Signals]
) -> None:
    """A worker's life: run its checks, send the result (or the exception), exit.

    Ctrl-C reaches the whole process group: the parent decides, and stops the workers with
    SIGTERM, which ends a worker at once. `mask` is the signal mask to restore once the
    handlers are set (the parent blocked Ctrl-C and SIGTERM while forking).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    try:
        message = (True, work(group))
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
        message = (False, _picklable(exc))
    try:
        send.send(message)
    except (BrokenPipeError, OSError):
        pass  # the parent is gone
    except Exception as exc:  # noqa: BLE001 - e.g. a plugin's summary that cannot be pickled
        send.send((False, SftlintError(f"a worker could not send its result back: {described(exc)}")))


def _picklable(exc: BaseException) -> BaseException:
    try:
        pickle.dumps(exc)
        return exc
    except Exception:  # noqa: BLE001
        return SftlintError(described(exc))
