"""Keep a child process running: ``trustledger serve`` restarts its worker whenever it exits."""

from __future__ import annotations

import logging
import subprocess
import threading
import time

log = logging.getLogger("trustledger.serve")

MAX_DELAY = 30.0
STABLE_AFTER = 60.0  # a child that ran this long resets the backoff


class Supervisor:
    def __init__(self, command: list[str], *, name: str) -> None:
        self.command = command
        self.name = name
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._watch, name=f"supervise-{name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _watch(self) -> None:
        delay = 1.0
        while not self._stopping.is_set():
            started = time.monotonic()
            self.process = subprocess.Popen(self.command)
            if self._stopping.is_set():  # stop() ran while this one was starting
                self.process.terminate()
            code = self.process.wait()
            if self._stopping.is_set():
                return
            if time.monotonic() - started > STABLE_AFTER:
                delay = 1.0
            self.restarts += 1
            log.error("%s exited with %s; restarting in %.0f s", self.name, code, delay)
            print(f"The {self.name} stopped (exit {code}); restarting it.", flush=True)
            self._stopping.wait(delay)
            delay = min(MAX_DELAY, delay * 2)

    def stop(self, timeout: float = 15.0) -> None:
        self._stopping.set()
        process = self.process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._thread.join(timeout=timeout)
