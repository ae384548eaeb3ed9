"""`quizgen drill` on a real pseudo-terminal: typed answers, colour, NO_COLOR, Ctrl-C and Ctrl-D.

The child gets the pty as its controlling terminal, so Ctrl-C becomes SIGINT as it would for a
student, and the terminal (not the drill) echoes what is typed.
"""

from __future__ import annotations

import fcntl
import os
import select
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from test_drill import classic_seed

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")


class Pty:
    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.master, slave = os.openpty()

        def controlling_terminal() -> None:
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.process = subprocess.Popen([sys.executable, "-m", "quizgen", "drill", *args], stdin=slave,
                                        stdout=slave, stderr=slave, env=env, preexec_fn=controlling_terminal)
        os.close(slave)
        self.seen = b""

    def expect(self, text: str, timeout: float = 20) -> str:
        """Everything up to and including `text`; fails with the screen so far if it never comes."""
        token, end = text.encode(), time.monotonic() + timeout
        while token not in self.seen:
            ready, _, _ = select.select([self.master], [], [], max(end - time.monotonic(), 0))
            if not ready:
                raise AssertionError(f"{text!r} never appeared; screen:\n{self.seen.decode(errors='replace')}")
            try:
                chunk = os.read(self.master, 4096)
            except OSError:  # the child closed the terminal
                chunk = b""
            if not chunk:
                raise AssertionError(f"{text!r} never appeared; screen:\n{self.seen.decode(errors='replace')}")
            self.seen += chunk
        cut = self.seen.index(token) + len(token)
        shown, self.seen = self.seen[:cut], self.seen[cut:]
        return shown.decode()

    def send(self, text: str) -> None:
        os.write(self.master, text.encode())

    def close(self) -> int:
        code = self.process.wait(timeout=20)
        os.close(self.master)
        return code


def environ(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    return {**env, "XDG_DATA_HOME": str(tmp_path), "TERM": "xterm", **extra}


def test_session_on_a_terminal_with_colour_and_ctrl_c(tmp_path: Path) -> None:
    term = Pty(["--seed", str(classic_seed()), "--kind", "conv-params"], environ(tmp_path))
    screen = term.expect("> ")
    assert "\x1b[1mQuestion 1 of 10\x1b[0m" in screen  # colour on a terminal
    term.send("288\n")
    screen = term.expect("> ")
    assert "288\r\n" in screen  # echoed once, by the terminal
    assert "\x1b[33mForgot the bias\x1b[0m [forgot-bias]" in screen
    assert "The answer is \x1b[32m320\x1b[0m." in screen
    term.send("hint\n")
    assert "parameters: (k_h·k_w·C_in + 1)·F" in term.expect("> ")
    term.send("\x03")  # Ctrl-C: the session ends cleanly, with its summary
    screen = term.expect("Progress saved to")
    assert "0 of 1 right" in screen and "forgot-bias" in screen and "Traceback" not in screen
    assert term.close() == 130  # interrupted, as every command's Ctrl-C (after the summary)


def test_no_color_and_ctrl_d(tmp_path: Path) -> None:
    term = Pty(["--seed", str(classic_seed()), "--kind", "conv-params", "--count", "3"],
               environ(tmp_path, NO_COLOR="1"))
    screen = term.expect("> ")
    term.send("3 2 0\n")
    screen += term.expect("> ")
    term.send("\x04")  # Ctrl-D: end of input
    screen += term.expect("Progress saved to")
    assert "✓ Right: 320." in screen
    assert "Session over: 1 of 1 right, streak 1 (best 1), level 1." in screen
    assert "\x1b[" not in screen
    assert term.close() == 0
