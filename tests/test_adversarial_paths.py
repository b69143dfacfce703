"""An adversary's output paths and names (issue 9): whatever the file system allows in a path
works, odd names are refused before anything is written, and nothing outside the output
folder ever changes (a checksum of the tree around it)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
import yaml

from conftest import run_cli

ODD_FOLDERS = [
    "with space",
    "br{x}",
    "{0}",
    "{scenario_path}",
    "}{",
    "quo'te",
    'dq"uote',
    "é ü 中文 🚀",
    "semi;colon,comma",
    "pct%s%(x)s",
    "dollar$HOME",
    "back\\slash",
    "star*",
    "q?mark",
    "[br]acket",
    "-dash",
    ".hidden",
    "tab\tname",
    "a..b",
    "x.prev-20200101-000000",
    "x.staging-abc",
    "s3:",
    "http:",
    "n" * 200,
    "nested/deeper/out",
]


def tree_digest(root: Path, skip: str) -> str:
    """A checksum of every name, mode and content under ``root`` except the output folder
    ``skip`` and what a run may put beside it (its .prev- folders)."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root):
        rel = Path(dirpath).relative_to(root)
        if rel == Path("."):
            dirnames[:] = [d for d in dirnames if not d.startswith(skip)]
            filenames = [f for f in filenames if not f.startswith(skip)]
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            p = Path(dirpath) / name
            st = p.lstat()
            h.update(f"{rel / name}\0{st.st_mode}\0".encode("utf-8", "surrogateescape"))
            if p.is_file() and not p.is_symlink():
                h.update(p.read_bytes())
    return h.hexdigest()


@pytest.fixture
def around(tiny_case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path holds the case, the scenario and a bystander file; the run's cwd is it."""
    (tmp_path / "tiny.yaml").write_text(yaml.safe_dump({"name": "tiny", "case": "tiny"}))
    (tmp_path / "bystander.txt").write_text("untouched\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_odd_output_paths_work_and_change_nothing_around(around: Path):
    for name in ODD_FOLDERS:
        first = name.split("/")[0]
        before = tree_digest(around, first)
        for _ in range(2):  # the second run moves the first aside
            code, out, err = run_cli("run", "tiny.yaml", "--no-report", f"--out={name}")
            assert code == 0, (name, err)
            assert (around / name / "allocation.csv").is_file(), name
        assert tree_digest(around, first) == before, name
        siblings = [p.name for p in (around / name).parent.iterdir()]
        assert sum(s.startswith(f"{Path(name).name}.prev-") for s in siblings) == 1, name
        assert not [s for s in siblings if ".staging-" in s and s.startswith(".")], name


def test_odd_output_path_with_the_report(around: Path):
    name = "rep {x} 'q' \"d\" é"
    before = tree_digest(around, name)
    code, _, err = run_cli("run", "tiny.yaml", f"--out={name}")
    assert code == 0, err
    html = (around / name / "report.html").read_text(encoding="utf-8")
    assert "Allocation report: tiny" in html
    assert tree_digest(around, name) == before


@pytest.mark.parametrize(
    "out",
    [".", "./", "..", "../..", "/", "tiny", "tiny.yaml", "bystander.txt", "", "x\0y"],
)
def test_unsafe_output_paths_are_refused_and_nothing_changes(around: Path, out: str):
    before = tree_digest(around.parent, "\0")
    code, stdout, err = run_cli("run", "tiny.yaml", "--no-report", "--force", f"--out={out}")
    assert code == 2, (out, err)
    assert err.startswith("1 problem found in the arguments:\n  --out: ") or (
        "argument --out: " in err and "is not a folder name" in err
    ), err
    assert tree_digest(around.parent, "\0") == before


def test_a_name_too_long_for_the_file_system_is_refused(around: Path):
    name = "n" * 201
    code, _, err = run_cli("run", "tiny.yaml", "--no-report", f"--out={name}")
    assert code == 2
    assert "has a last part of 201 bytes; the limit is 200" in err
    assert not (around / name).exists()


@pytest.mark.parametrize(
    "name",
    ["nl\n", "../up", "a/b", "x" * 65, ".hidden", "-dash", "{x}", "sp ace", "é", "=1+1", ""],
)
def test_odd_scenario_names_are_refused_before_anything_is_written(around: Path, name: str):
    (around / "odd.yaml").write_text(yaml.safe_dump({"name": name, "case": "tiny"}))
    before = tree_digest(around.parent, "\0")
    code, _, err = run_cli("run", "odd.yaml", "--no-report")
    assert code == 2, (name, err)
    assert "odd.yaml" in err and "name" in err
    assert tree_digest(around.parent, "\0") == before
