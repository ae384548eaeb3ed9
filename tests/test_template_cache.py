"""Compiled templates kept between runs: never stale, never taken from a folder others may write,
and never a reason for a run to fail."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from quizgen.render import environment as env_module

ROOT = Path(__file__).parent.parent


def run(*args: str, cache: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(cache)}
    return subprocess.run([sys.executable, "-m", "quizgen", *args], capture_output=True, text=True, env=env,
                          check=False)


def test_an_edited_template_is_compiled_anew(tmp_path: Path) -> None:
    mine = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", mine)
    args = ("generate", "--seed", "3", "-n", "2", "-f", "md", "--templates", str(mine), "-o", "-", "-q")
    first = run(*args, cache=tmp_path / "cache")
    assert first.returncode == 0, first.stderr
    assert list((tmp_path / "cache" / "quizgen").glob("templates-*/*.cache"))  # compiled code was kept
    assert run(*args, cache=tmp_path / "cache").stdout == first.stdout
    worksheet = mine / "md" / "worksheet.md.j2"
    worksheet.write_text("EDITED\n" + worksheet.read_text(encoding="utf-8"), encoding="utf-8")
    again = run(*args, cache=tmp_path / "cache")
    assert again.returncode == 0 and again.stdout.startswith("EDITED")
    assert again.stdout.replace("EDITED", "", 1).lstrip() == first.stdout.lstrip()


def test_no_cache_folder_to_be_had_is_no_error(tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("a file where the cache folder would go")
    result = run("generate", "--seed", "3", "-n", "2", "-f", "moodle", "-o", "-", "-q", cache=tmp_path / "cache")
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith('<?xml version="1.0"')


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_folder_others_may_write_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    env_module._bytecode_cache.cache_clear()
    try:
        cache = env_module._bytecode_cache("test settings")
        assert cache is not None
        folder = Path(cache.directory)
        assert folder.is_relative_to(tmp_path) and folder.stat().st_mode & 0o077 == 0
        folder.chmod(0o777)  # someone could put code there
        env_module._bytecode_cache.cache_clear()
        assert env_module._bytecode_cache("test settings") is None
    finally:
        env_module._bytecode_cache.cache_clear()
