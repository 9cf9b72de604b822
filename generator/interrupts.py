"""Ending long work cleanly on Ctrl-C, SIGTERM (systemctl stop, a CI job cancelled) and SIGHUP: the
preview (serve.py) and the deploy lock (deploy/lock.py)."""
from __future__ import annotations

import signal
import threading


def _handle(names: tuple, handler) -> dict:
    """`handler` for the named signals, in the main thread (signals are not set elsewhere); the previous handlers."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    previous = {}
    for name in names:
        number = getattr(signal, name, None)
        if number is not None:
            try:
                previous[number] = signal.signal(number, handler)
            except (OSError, ValueError):
                pass
    return previous


def stop_on_signals() -> dict:
    """In the main thread, SIGTERM and SIGHUP end the work as Ctrl-C does (a KeyboardInterrupt: the
    `finally` blocks run, e.g. the preview's temp folder or a deploy's lock removed). The previous handlers."""
    def stop(signum, frame):
        raise KeyboardInterrupt
    return _handle(("SIGTERM", "SIGHUP"), stop)


def hold_interrupts() -> dict:
    """While cleaning up, a second Ctrl-C (or SIGTERM) must not stop the cleaning halfway."""
    return _handle(("SIGINT", "SIGTERM", "SIGHUP"), signal.SIG_IGN)


def defer_interrupts(pending: list) -> dict:
    """Ctrl-C, SIGTERM and SIGHUP noted in `pending`, not acted on: while something is taken that must
    be given back (a lock), a stop must wait until the taking is done and the giving back is armed."""
    return _handle(("SIGINT", "SIGTERM", "SIGHUP"), lambda signum, frame: pending.append(signum))


def restore(handlers: dict) -> None:
    for number, handler in handlers.items():
        try:
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)
        except (OSError, ValueError, TypeError):
            pass
