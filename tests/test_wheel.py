"""Build the wheel, install it into a fresh virtual environment and use it from elsewhere.

Marked ``wheel``: it runs in CI; skip it locally with ``-m "not wheel"``. The new
environment installs only the wheel itself (``--no-deps``) and reaches the dependencies
through the site-packages of the interpreter running the tests (a virtual environment, the
system interpreter or a conda environment alike), so the check is about packaging, not
about downloads.
"""

import shutil
import site
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.wheel

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "tsforecast", "datasets", "cli")


def run(command, **kwargs):
    process = subprocess.run([str(part) for part in command], capture_output=True, text=True,
                             timeout=600, check=False, **kwargs)
    assert process.returncode == 0, f"{command}\n{process.stdout}\n{process.stderr}"
    return process


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    # build from a copy so the working tree gets no build/ or egg-info debris
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.tsf"))
        else:
            shutil.copy(path, source / name)
    outdir = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "build", "--wheel", "--outdir", outdir, source])
    (built,) = outdir.glob("tsforecast-*.whl")
    return built


def dependency_directories():
    """Where the running interpreter finds its packages (its own environment's, not the
    base interpreter's that ``--system-site-packages`` would give a venv made here)."""
    paths = sysconfig.get_paths()
    directories = [paths["purelib"], paths["platlib"]]
    if site.ENABLE_USER_SITE:
        directories.append(site.getusersitepackages())
    return [d for d in dict.fromkeys(directories) if Path(d).is_dir()]


@pytest.fixture(scope="module")
def environment(wheel, tmp_path_factory):
    home = tmp_path_factory.mktemp("venv") / "env"
    venv.EnvBuilder(with_pip=False).create(home)
    python = home / "bin" / "python"
    purelib = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    # path entries after the environment's own site-packages, so the installed wheel comes
    # first; a .pth line adds a directory without running the .pth files inside it (such
    # as an editable install of this checkout)
    (Path(purelib.stdout.strip()) / "test-dependencies.pth").write_text(
        "".join(f"{d}\n" for d in dependency_directories())
    )
    run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps",
         "--force-reinstall", "--no-index", wheel])
    return home


def test_wheel_has_no_top_level_datasets_or_cli(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    top_level = {name.split("/")[0] for name in names}
    assert top_level == {"tsforecast", "tsforecast-0.1.0.dist-info"}
    assert "tsforecast/datasets/__init__.py" in names
    assert "tsforecast/datasets/air_passengers.csv" in names
    assert "tsforecast/cli/main.py" in names
    assert "tsforecast/forecasting/weights/pretrained_rnn.keras" in names
    for package in (ROOT / "tsforecast").rglob("__init__.py"):
        assert str(package.relative_to(ROOT)) in names, f"{package} is not in the wheel"
    with zipfile.ZipFile(wheel) as archive:
        entry_points = archive.read("tsforecast-0.1.0.dist-info/entry_points.txt").decode()
    assert "tsforecast = tsforecast.cli.main:main" in entry_points


def test_installed_wheel_works_from_another_directory(environment, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = environment / "bin" / "tsforecast"
    help_text = run([script, "--help"], cwd=elsewhere).stdout
    assert "Commands:" in help_text and "fit" in help_text

    code = (
        "import sys, tsforecast, tsforecast.datasets as d\n"
        "print(tsforecast.__file__)\n"
        "print(d.__file__)\n"
        "print(d.dataset_path('air_passengers').is_file(), len(d.load_air_passengers()))\n"
        "import importlib.util as u\n"
        "print(u.find_spec('cli') is None, u.find_spec('datasets') is None"
        " or 'tsforecast' not in str(u.find_spec('datasets').origin))\n"
    )
    lines = run([environment / "bin" / "python", "-c", code], cwd=elsewhere).stdout.splitlines()
    site = str(environment.resolve())
    assert lines[0].startswith(site) and lines[1].startswith(site), lines
    assert lines[2] == "True 144"
    assert lines[3] == "True True"
    listing = run([script, "datasets", "list"], cwd=elsewhere).stdout
    assert "air_passengers" in listing
