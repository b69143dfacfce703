"""The package installs anywhere: a wheel built from this tree, installed in a fresh virtual
environment (not editable), runs a scenario with its report from an unrelated folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def test_a_wheel_installed_elsewhere_runs_a_scenario_with_its_report(tmp_path: Path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]
        + ["--wheel-dir", str(dist), str(REPO)],
        check=True,
        cwd=tmp_path,
    )
    (wheel,) = dist.glob("intervet_plan-*.whl")
    env_dir = tmp_path / "env"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    purelib = Path(
        subprocess.check_output(
            [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            text=True,
        ).strip()
    )
    # the dependencies come from the test's own environment (a plain path entry: its .pth
    # files, among them the editable install of this tree, are not processed)
    (purelib / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    # and nbconvert's templates, which a real install puts under the environment's share/
    templates = Path(sysconfig.get_paths()["data"]) / "share" / "jupyter" / "nbconvert"
    (env_dir / "share" / "jupyter").mkdir(parents=True)
    (env_dir / "share" / "jupyter" / "nbconvert").symlink_to(templates)
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps"]
        + ["--target", str(purelib), str(wheel)],
        check=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "s.yaml").write_text(
        yaml.safe_dump({"name": "from-wheel", "case": str(REPO / "data" / "intervet_wb")})
    )
    clean_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "JUPYTER_PATH")}
    where = subprocess.check_output(
        [str(py), "-c", "import intervet_plan.outputs.report as r; print(r.__file__)"],
        cwd=elsewhere,
        env=clean_env,
        text=True,
    ).strip()
    assert Path(where).is_relative_to(purelib), where
    done = subprocess.run(
        [str(py), "-m", "intervet_plan.cli", "run", "s.yaml"],
        cwd=elsewhere,
        env=clean_env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    out = elsewhere / "reports" / "from-wheel"
    assert json.loads((out / "summary.json").read_text())["objective"]["placements"] == 622
    assert "Allocation report: from-wheel" in (out / "report.html").read_text(encoding="utf-8")
