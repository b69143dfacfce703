"""Outputs that never destroy anything (SPEC 5 "Output folders are safe", issue 9): the exact
commands that once emptied a folder, batch runs over earlier results, staging folders,
concurrent publishers, the umask, environment errors and argument limits."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import stat
import threading
from pathlib import Path

import pytest
import yaml

from conftest import run_cli
from intervet_plan import api
from intervet_plan.outputs import run_folder
from intervet_plan.outputs.folder import atomic_folder, remove_stale_staging

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tiny_case: Path, tmp_path: Path) -> Path:
    """tmp_path/{tiny (case), tiny.yaml, work/keep.txt}; the tests run from work/."""
    (tmp_path / "tiny.yaml").write_text(yaml.safe_dump({"name": "tiny", "case": "tiny"}))
    work = tmp_path / "work"
    work.mkdir()
    (work / "keep.txt").write_text("precious\n")
    return tmp_path


def snapshot(root: Path, skip: tuple[str, ...] = ()) -> dict[str, tuple]:
    """Every entry under ``root`` (but those whose first path part starts with one of
    ``skip``): kind, mode and content."""
    out: dict[str, tuple] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root)
        for name in dirnames + filenames:
            rel = rel_dir / name
            if skip and rel.parts[0].startswith(skip):
                continue
            p = Path(dirpath) / name
            st = p.lstat()
            content = p.read_bytes() if stat.S_ISREG(st.st_mode) else None
            out[str(rel)] = (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode), content)
    return out


# ------------------------------------------------------------------- refused folders


@pytest.mark.parametrize(
    ("out", "message"),
    [
        (".", "--out: '.' is the current folder; give a new folder such as reports/<name>"),
        (
            "..",
            "--out: '..' holds the current folder, and publishing a result there would move "
            "it aside; give a folder below the current one, such as reports/<name>",
        ),
    ],
)
@pytest.mark.parametrize("force", [False, True])
def test_out_current_or_parent_folder_is_refused_before_solving(
    project: Path, monkeypatch: pytest.MonkeyPatch, out: str, message: str, force: bool
):
    monkeypatch.chdir(project / "work")
    before = snapshot(project)
    code, stdout, err = run_cli(
        "run", "../tiny.yaml", "--no-report", "--out", out, *(["--force"] if force else [])
    )
    assert code == 2
    assert err == f"1 problem found in the arguments:\n  {message}\n"
    assert stdout == ""
    assert snapshot(project) == before  # nothing emptied, no staging folder left


def test_out_holding_the_case_or_the_scenario_is_refused(
    project: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(project / "work")
    before = snapshot(project)
    code, _, err = run_cli("run", "../tiny.yaml", "--no-report", "--out", "../tiny", "--force")
    assert code == 2
    assert f"--out: '../tiny' holds an input of this run ({project / 'tiny'})" in err
    monkeypatch.chdir(project.parent)  # --out holds the case but not the current folder
    code, _, err = run_cli("run", str(project / "tiny.yaml"), "--out", str(project), "--force")
    assert code == 2
    assert f"--out: '{project}' holds an input of this run (" in err
    assert snapshot(project) == before


def test_out_that_is_a_file_is_refused_and_the_file_kept(project: Path):
    f = project / "work" / "keep.txt"
    code, _, err = run_cli("run", str(project / "tiny.yaml"), "--no-report", "--out", str(f))
    assert code == 2
    assert err.endswith(f"--out: '{f}' is a file; give a folder (it will be created)\n")
    assert f.read_text() == "precious\n"
    assert [p.name for p in (project / "work").iterdir()] == ["keep.txt"]


def test_force_never_deletes_files_it_did_not_write(project: Path):
    out = project / "work"
    code, _, err = run_cli("run", str(project / "tiny.yaml"), "--out", str(out), "--force")
    assert code == 2
    assert (
        f"--out: '{out}' holds files that intervet-plan did not write (keep.txt); --force "
        "replaces only an earlier result: leave out --force to move the folder aside"
    ) in err
    assert (out / "keep.txt").read_text() == "precious\n"


def test_force_replaces_an_earlier_result_and_plain_run_moves_it_aside(project: Path):
    out = project / "out"
    args = ("run", str(project / "tiny.yaml"), "--no-report", "--out", str(out))
    assert run_cli(*args)[0] == 0
    first = (out / "allocation.csv").read_bytes()
    assert run_cli(*args, "--force")[0] == 0
    assert sorted(p.name for p in project.iterdir()) == ["out", "tiny", "tiny.yaml", "work"]
    assert run_cli(*args)[0] == 0
    aside = [p for p in project.iterdir() if p.name.startswith("out.prev-")]
    assert len(aside) == 1 and (aside[0] / "allocation.csv").read_bytes() == first


def test_out_that_is_a_symlink_moves_the_link_aside_not_its_target(project: Path):
    real = project / "work"
    link = project / "link"
    link.symlink_to(real, target_is_directory=True)
    code, _, _ = run_cli("run", str(project / "tiny.yaml"), "--no-report", "--out", str(link))
    assert code == 0
    assert (real / "keep.txt").read_text() == "precious\n"
    assert sorted(p.name for p in real.iterdir()) == ["keep.txt"]
    aside = [p for p in project.iterdir() if p.name.startswith("link.prev-")]
    assert len(aside) == 1 and aside[0].is_symlink() and aside[0].resolve() == real
    assert (link / "allocation.csv").is_file() and not link.is_symlink()


def test_batch_moves_an_earlier_run_aside_instead_of_deleting_it(project: Path):
    reports = project / "reports"
    earlier = reports / "tiny"
    earlier.mkdir(parents=True)
    (earlier / "notes.txt").write_text("my notes\n")
    code, _, err = run_cli(
        "batch", str(project / "tiny.yaml"), "--out", str(reports), "--no-report"
    )
    assert code == 0, err
    aside = [p for p in reports.iterdir() if p.name.startswith("tiny.prev-")]
    assert len(aside) == 1 and (aside[0] / "notes.txt").read_text() == "my notes\n"
    assert (reports / "tiny" / "allocation.csv").is_file()


def test_batch_out_current_folder_is_refused(project: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(project / "work")
    before = snapshot(project)
    code, _, err = run_cli("batch", "../tiny.yaml", "--out", ".", "--no-report")
    assert code == 2
    assert "--out: '.' is the current folder" in err
    code, _, err = run_cli("sweep", "../tiny.yaml", "--vary", "budget_eur=1,2", "--out", "..")
    assert code == 2
    assert "--out: '..' holds the current folder" in err
    assert snapshot(project) == before


# ------------------------------------------------------------------- staging folders


def test_failure_after_staging_leaves_no_staging_and_keeps_the_earlier_result(
    project: Path, monkeypatch: pytest.MonkeyPatch
):
    out = project / "out"
    args = ("run", str(project / "tiny.yaml"), "--no-report", "--out", str(out))
    assert run_cli(*args)[0] == 0
    before = snapshot(project)

    def full(*_a: object, **_k: object) -> str:
        raise OSError(errno.ENOSPC, "No space left on device", str(out / "allocation.csv"))

    monkeypatch.setattr(run_folder, "allocation_csv", full)
    code, _, err = run_cli(*args)
    assert code == 1
    assert err == (
        f"error: cannot use {out / 'allocation.csv'}: No space left on device (ENOSPC); "
        "the disk is full; free some space and run again\n"
    )
    assert "bug" not in err
    assert snapshot(project) == before


@pytest.mark.parametrize(
    ("code_", "words"),
    [
        (errno.EROFS, "the file system is read-only"),
        (errno.ENAMETOOLONG, "a file name is too long"),
        (errno.EACCES, "permission denied"),
    ],
)
def test_environment_errors_are_not_reported_as_bugs(
    project: Path, monkeypatch: pytest.MonkeyPatch, code_: int, words: str
):
    def refuse(*_a: object, **_k: object) -> str:
        raise OSError(code_, os.strerror(code_), "/somewhere/allocation.csv")

    monkeypatch.setattr(run_folder, "allocation_csv", refuse)
    out = project / "out"
    code, _, err = run_cli("run", str(project / "tiny.yaml"), "--no-report", "--out", str(out))
    assert code == 1
    assert err.startswith(f"error: cannot use /somewhere/allocation.csv: {os.strerror(code_)}")
    assert words in err and "bug" not in err
    assert not out.exists() and not list(project.glob(".out.staging-*"))


def test_stale_staging_is_removed_and_a_live_one_kept(project: Path):
    out = project / "out"
    stale = project / ".out.staging-dead1234"
    live = project / ".out.staging-live5678"
    for p in (stale, live):
        p.mkdir()
        (p / "summary.json").write_text("{}")
    fd = os.open(live, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # as a running process holds its staging folder
        code, _, _ = run_cli("run", str(project / "tiny.yaml"), "--no-report", "--out", str(out))
        assert code == 0
        assert not stale.exists()
        assert (live / "summary.json").is_file()
    finally:
        os.close(fd)
    assert remove_stale_staging(out) == [live]


def test_concurrent_publishers_of_one_folder_each_end_complete(tmp_path: Path):
    target = tmp_path / "out"
    n = 8
    start = threading.Barrier(n, timeout=60)
    errors: list[BaseException] = []

    def publish(i: int) -> None:
        try:
            with atomic_folder(target) as stage:
                (stage / "who.txt").write_text(str(i))
                (stage / "summary.json").write_text(json.dumps({"run": i}))
                start.wait()
        except BaseException as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=publish, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    folders = [target, *tmp_path.glob("out.prev-*")]
    assert len(folders) == n
    seen = sorted(int((f / "who.txt").read_text()) for f in folders)
    assert seen == list(range(n))
    assert all(json.loads((f / "summary.json").read_text())["run"] >= 0 for f in folders)
    assert not list(tmp_path.glob(".out.*"))


# ----------------------------------------------------------------------- the umask


@pytest.mark.parametrize(("mask", "dirs", "files"), [(0o022, 0o755, 0o644), (0o002, 0o775, 0o664)])
def test_outputs_follow_the_umask(project: Path, mask: int, dirs: int, files: int):
    old = os.umask(mask)
    try:
        out = project / "out"
        code, _, _ = run_cli("run", str(project / "tiny.yaml"), "--no-report", "--out", str(out))
        assert code == 0
        gen = project / "gen"
        assert run_cli("generate", str(gen), "--seed", "1")[0] == 0
        assert run_cli("generate", str(project / "wb.xlsx"), "--xlsx")[0] == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == dirs
    assert stat.S_IMODE(gen.stat().st_mode) == dirs
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in out.iterdir()}
    assert modes == dict.fromkeys(modes, files)
    assert set(modes) >= {"allocation.csv", "allocation.xlsx", "summary.json", "solver.log"}
    assert stat.S_IMODE((project / "wb.xlsx").stat().st_mode) == files


# ----------------------------------------------------------------- generate's output


def test_generate_moves_an_existing_case_aside(project: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(project / "work")
    code, _, err = run_cli("generate", ".")
    assert code == 2 and "OUT_DIR: '.' is the current folder" in err
    mine = project / "mine"
    mine.mkdir()
    (mine / "participants.csv").write_text("my own table\n")
    assert run_cli("generate", str(mine), "--seed", "3")[0] == 0
    aside = [p for p in project.iterdir() if p.name.startswith("mine.prev-")]
    assert len(aside) == 1 and (aside[0] / "participants.csv").read_text() == "my own table\n"
    assert (mine / "case.yaml").is_file()
    wb = project / "w.xlsx"
    wb.write_bytes(b"not yet a workbook")
    assert run_cli("generate", str(wb), "--xlsx")[0] == 0
    olds = [p for p in project.iterdir() if p.name.startswith("w.xlsx.prev-")]
    assert len(olds) == 1 and olds[0].read_bytes() == b"not yet a workbook"


# --------------------------------------------------------------------------- arguments


@pytest.mark.parametrize("value", ["-1", "0", "nan", "inf", "-inf", "soon"])
def test_time_limit_must_be_a_positive_finite_number(project: Path, value: str):
    for command in (("run", str(project / "tiny.yaml")), ("batch", str(project / "tiny.yaml"))):
        code, _, err = run_cli(*command, f"--time-limit={value}", "--no-report")
        assert code == 2
        assert f"argument --time-limit: '{value}'" in err
        assert ("is not a number of seconds" in err) == (value == "soon")
    assert sorted(p.name for p in project.iterdir()) == ["tiny", "tiny.yaml", "work"]


@pytest.mark.parametrize("value", ["0", "101", "-3", "1e9"])
def test_generate_scale_is_capped(tmp_path: Path, value: str):
    code, _, err = run_cli("generate", str(tmp_path / "g"), f"--scale={value}")
    assert code == 2
    assert f"argument --scale: '{value}'" in err
    assert not (tmp_path / "g").exists()


# ------------------------------------------------------------------ the diagnosis


def test_diagnosis_of_a_huge_quota_minimum_agrees_with_its_capacity(tmp_path: Path):
    s = tmp_path / "huge.yaml"
    s.write_text(
        yaml.safe_dump(
            {
                "name": "huge",
                "case": str(REPO / "data" / "intervet_wb"),
                "quotas": {"WBL_SHORT": {"quota": 100_000_000, "quota_min": 100_000_000}},
            }
        )
    )
    plan = api.solve(api.build(api.load(s)))
    cap = {c["activity_id"]: c for c in plan.diagnosis["capacity"]}["WBL_SHORT"]
    conflict = plan.diagnosis["conflicts"][0]
    assert cap["short"] == 100_000_000 - cap["max_placements"]
    assert conflict["amount"] == cap["short"]
    assert conflict["sentence"].startswith(f"quota_min of WBL_SHORT short by {cap['short']}:")


def test_concurrent_processes_publishing_one_folder_each_end_complete(tmp_path: Path):
    import subprocess
    import sys

    target = tmp_path / "out"
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from intervet_plan.outputs.folder import atomic_folder\n"
        "with atomic_folder(Path(sys.argv[1])) as stage:\n"
        "    (stage / 'who.txt').write_text(sys.argv[2])\n"
        "    time.sleep(0.5)\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, str(target), str(i)]) for i in range(4)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    folders = [target, *tmp_path.glob("out.prev-*")]
    assert sorted(int((f / "who.txt").read_text()) for f in folders) == [0, 1, 2, 3]
    assert not list(tmp_path.glob(".out.*"))


# ------------------------------------------------------- review findings (second reading)


def test_without_working_locks_a_fresh_staging_folder_is_never_removed(
    project: Path, monkeypatch: pytest.MonkeyPatch
):
    def no_locks(fd: int, op: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    live = project / ".out.staging-live0000"
    live.mkdir()
    monkeypatch.setattr(fcntl, "flock", no_locks)
    code, _, err = run_cli(
        "run", str(project / "tiny.yaml"), "--no-report", "--out", str(project / "out")
    )
    assert code == 0, err
    assert live.is_dir()  # it may belong to a running process: kept
    os.utime(live, (0, 0))  # a day old and more: stale
    assert remove_stale_staging(project / "out") == [live]


def test_stale_staging_of_any_folder_and_a_replaced_result_are_cleaned(project: Path):
    other = project / ".other.staging-dead0000"
    other.mkdir()
    left = project / ".out.replaced-dead0000" / "old"
    left.mkdir(parents=True)
    (left / "summary.json").write_text('{"earlier": true}')
    code, _, _ = run_cli(
        "run", str(project / "tiny.yaml"), "--no-report", "--out", str(project / "out")
    )
    assert code == 0
    assert not other.exists() and not left.parent.exists()
    (aside,) = project.glob("out.prev-*")
    assert json.loads((aside / "summary.json").read_text()) == {"earlier": True}


def test_dotdot_after_a_symlink_goes_where_the_system_goes(project: Path):
    deep = project / "deep" / "a" / "b"
    deep.mkdir(parents=True)
    (project / "dl").symlink_to(deep, target_is_directory=True)
    code, stdout, err = run_cli(
        "run", str(project / "tiny.yaml"), "--no-report", "--out", str(project / "dl/../res")
    )
    assert code == 0, err
    assert (project / "deep" / "a" / "res" / "allocation.csv").is_file()
    assert not (project / "res").exists()
    assert f"written to {project / 'deep' / 'a' / 'res'}" in stdout


@pytest.mark.parametrize(
    ("out", "words"),
    [
        ("reports/x/..", "goes through "),
        ("dangling/sub", "a broken symbolic link (or a loop)"),
        ("loop/sub", "a broken symbolic link (or a loop)"),
        ("work/keep.txt/sub", "cannot be created: "),
        ("r/bad\udcff", "is not valid UTF-8 text"),
    ],
)
def test_paths_that_cannot_be_folders_are_refused(
    project: Path, monkeypatch: pytest.MonkeyPatch, out: str, words: str
):
    (project / "dangling").symlink_to(project / "nowhere")
    (project / "loop").symlink_to(project / "loop")
    monkeypatch.chdir(project)
    before = snapshot(project)
    code, _, err = run_cli("run", "tiny.yaml", "--no-report", "--out", out)
    assert code == 2, err
    assert words in err
    assert snapshot(project) == before


def test_force_keeps_a_hand_edited_result(project: Path):
    out = project / "out"
    args = ("run", str(project / "tiny.yaml"), "--no-report", "--out", str(out))
    assert run_cli(*args)[0] == 0
    edited = out / "allocation.csv"
    edited.write_text(edited.read_text() + "# my edits\n")
    later = (out / "summary.json").stat().st_mtime + 5
    os.utime(edited, (later, later))
    code, _, err = run_cli(*args, "--force")
    assert code == 2
    assert "(allocation.csv (changed after the run))" in err
    assert edited.read_text().endswith("# my edits\n")


def test_batch_and_sweep_keep_an_earlier_manifest_and_variants(project: Path):
    reports = project / "reports"
    reports.mkdir()
    (reports / "manifest.json").write_text("mine\n")
    code, _, err = run_cli("batch", str(project / "tiny.yaml"), "--out", str(reports))
    assert code == 0, err
    (kept,) = reports.glob("manifest.json.prev-*")
    assert kept.read_text() == "mine\n"
    sweep = project / "sweep"
    args = ("sweep", str(project / "tiny.yaml"), "--vary", "budget_eur=5000,6000")
    assert run_cli(*args, "--out", str(sweep), "--no-report")[0] == 0
    (sweep / "scenarios" / "tiny-budget_eur-5000.yaml").write_text("name: mine\n")
    assert run_cli(*args, "--out", str(sweep), "--no-report")[0] == 0
    (old,) = sweep.glob("scenarios.prev-*")
    assert (old / "tiny-budget_eur-5000.yaml").read_text() == "name: mine\n"


def test_generate_refuses_odd_seeds_and_files(project: Path):
    code, _, err = run_cli("generate", str(project / "g"), "--seed", "-5")
    assert code == 2 and "argument --seed: '-5' must be between 0 and 4294967295" in err
    code, _, err = run_cli("generate", str(project / "tiny.yaml"), "--xlsx")
    assert code == 2 and f"OUT_DIR: '{project / 'tiny.yaml'}' is a file" in err
    assert not (project / "g").exists()
