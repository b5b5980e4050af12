"""Every process a test starts runs in a process group of its own and is stopped by that group,
so what it started in turn (the Chromium a server launched, nginx's workers) goes with it.
At the end of a session the suite checks that none of those groups has a process left.

Each suite's conftest imports `pytest_sessionfinish` from here, which does the check."""
from __future__ import annotations

import os
import signal
import subprocess
import time

# Every group this session started (a group's id is its leader's pid).
_GROUPS: set[int] = set()


def spawn(args: list[str], **kw) -> subprocess.Popen:
    """`subprocess.Popen` in a new session (so a new process group), remembered for `stop`
    and for the end-of-session check."""
    p = subprocess.Popen(args, start_new_session=True, **kw)
    _GROUPS.add(p.pid)
    return p


def members(pgid: int) -> list[int]:
    """The pids of live processes in group `pgid` (zombies do not count)."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # Fields after the command name, which is in parentheses and may hold spaces.
        rest = stat[stat.rfind(")") + 2:].split()
        state, pgrp = rest[0], int(rest[2])
        if pgrp == pgid and state != "Z":
            out.append(int(d))
    return out


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def stop(p: subprocess.Popen, sig: int = signal.SIGTERM, grace: float = 10.0) -> int | None:
    """Stops `p` and its whole group: `sig` to `p` first (SIGTERM, as `docker stop` sends it to
    the container's first process, which stops what it started), SIGKILL to whatever of the
    group is left after `grace` seconds. Returns `p`'s exit status."""
    try:
        p.send_signal(sig)
    except ProcessLookupError:
        pass
    try:
        p.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass
    deadline = time.monotonic() + grace
    while members(p.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    _signal_group(p.pid, signal.SIGKILL)
    try:
        return p.wait(timeout=5)
    except subprocess.TimeoutExpired:
        return None


def kill(p: subprocess.Popen) -> None:
    """`kill -9` of `p`'s whole group, as a crash would end it (and what it started)."""
    _signal_group(p.pid, signal.SIGKILL)
    try:
        p.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
    deadline = time.monotonic() + 5
    while members(p.pid) and time.monotonic() < deadline:
        time.sleep(0.05)


def leftovers(wait: float = 5.0) -> dict[int, list[int]]:
    """Groups this session started that still have processes, after waiting up to `wait` s."""
    deadline = time.monotonic() + wait
    while True:
        left = {g: m for g in sorted(_GROUPS) if (m := members(g))}
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.1)


def _describe(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")[:120]
    except OSError:
        return "?"


def pytest_sessionfinish(session, exitstatus):
    left = leftovers()
    if left:
        lines = [f"  group {g}: " + "; ".join(f"{p} {_describe(p)}" for p in pids) for g, pids in left.items()]
        print("\nprocesses the tests started and did not stop:\n" + "\n".join(lines))
        for g in left:
            _signal_group(g, signal.SIGKILL)
        session.exitstatus = 1
