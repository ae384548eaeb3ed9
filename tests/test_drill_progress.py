"""The drill's saved progress: merged on every save, written atomically, corrupt files set aside."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quizgen.drill.progress import Progress, ProgressStore, default_path
from quizgen.errors import QuizgenError


def one(kind: str, correct: bool, skipped: bool = False, met: tuple[str, ...] = ()) -> Progress:
    progress = Progress()
    progress.record(kind, correct, skipped, list(met))
    return progress


def test_default_path_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_path() == tmp_path / "quizgen" / "progress.json"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/dir")  # the XDG spec says: ignore it
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_path() == tmp_path / ".local" / "share" / "quizgen" / "progress.json"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert default_path() == tmp_path / ".local" / "share" / "quizgen" / "progress.json"


def test_saves_add_to_what_is_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "progress.json"
    first, second = ProgressStore(path), ProgressStore(path)  # e.g. two drills at once
    first.add(one("conv-params", False, met=("forgot-bias",)))
    second.add(one("conv-params", True))
    first.add(one("output-shape", False, skipped=True))
    assert json.loads(path.read_text()) == {
        "version": 1,
        "kinds": {"conv-params": {"asked": 2, "correct": 1, "skipped": 0},
                  "output-shape": {"asked": 1, "correct": 0, "skipped": 1}},
        "misconceptions": {"forgot-bias": 1}}
    assert [p.name for p in path.parent.iterdir()] == ["progress.json"]  # no temporary files left


@pytest.mark.parametrize("text", [
    "", "{", "[]", '{"version": 2, "kinds": {}, "misconceptions": {}}',
    '{"version": 1, "kinds": [], "misconceptions": {}}',
    '{"version": 1, "kinds": {"a": {"asked": 1, "correct": 2, "skipped": 0}}, "misconceptions": {}}',
    '{"version": 1, "kinds": {"a": {"asked": 1, "correct": true, "skipped": 0}}, "misconceptions": {}}',
    '{"version": 1, "kinds": {}, "misconceptions": {"forgot-bias": "3"}}',
])
def test_corrupt_file_is_moved_aside(tmp_path: Path, text: str) -> None:
    path = tmp_path / "progress.json"
    path.write_text(text)
    progress, warning = ProgressStore(path).load()
    assert progress == Progress()
    assert warning is not None and "\n" not in warning and "progress.json.corrupt" in warning
    assert (tmp_path / "progress.json.corrupt").read_text() == text and not path.exists()


def test_earlier_corrupt_copies_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    for n in range(3):
        path.write_text(f"bad {n}")
        ProgressStore(path).load()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["progress.json.corrupt", "progress.json.corrupt-2",
                                                          "progress.json.corrupt-3"]
    assert (tmp_path / "progress.json.corrupt-3").read_text() == "bad 2"


def test_not_utf8_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    path.write_bytes(b"\xff\xfe{")
    _, warning = ProgressStore(path).load()
    assert warning and "not UTF-8" in warning


def test_missing_file_is_no_progress(tmp_path: Path) -> None:
    assert ProgressStore(tmp_path / "none.json").load() == (Progress(), None)


def test_a_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(QuizgenError, match="cannot read progress file"):
        ProgressStore(tmp_path).load()


def test_round_trip(tmp_path: Path) -> None:
    progress = one("conv-params", False, met=("forgot-bias", "forgot-bias", "pooling-has-params"))
    assert Progress.from_json(json.loads(json.dumps(progress.to_json()))) == progress
    assert progress.total().asked == 1
