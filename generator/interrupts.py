"""Ending long work cleanly on Ctrl-C, SIGTERM (systemctl stop, a CI job cancelled) and SIGHUP: the
preview (serve.py) and the deploy lock (deploy/lock.py)."""
from __future__ import annotations

import signal
import threading


def stop_on_signals() -> dict:
    """In the main thread, SIGTERM and SIGHUP end the work as Ctrl-C does (a KeyboardInterrupt: the
    `finally` blocks run, e.g. the preview's temp folder or a deploy's lock removed). The previous handlers."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    previous = {}

    def stop(signum, frame):
        raise KeyboardInterrupt
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            try:
                previous[number] = signal.signal(number, stop)
            except (OSError, ValueError):
                pass
    return previous


def hold_interrupts() -> dict:
    """While cleaning up, a second Ctrl-C (or SIGTERM) must not stop the cleaning halfway."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    held = {}
    for number in (signal.SIGINT, getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)):
        if number is not None:
            try:
                held[number] = signal.signal(number, signal.SIG_IGN)
            except (OSError, ValueError):
                pass
    return held


def restore(handlers: dict) -> None:
    for number, handler in handlers.items():
        try:
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)
        except (OSError, ValueError, TypeError):
            pass
