"""The installed package on its own (issue 22, item 1): a wheel built from this tree, installed
into a fresh venv, run from a directory outside the repository, knows its six campaigns, writes
an example, evaluates it, writes the form and the reports.

The wheel is built once (``pip wheel --no-deps``, as a user or a CI job would, with the
setuptools of the ``test`` extra rather than an isolated download) and installed
with ``--no-deps``; the venv reads the dependencies (pydantic, durable-rules, openpyxl...) from
this interpreter's site-packages through a path file, so nothing is downloaded or compiled. Only
this repository's ``src`` is ever on the venv's path through the wheel: the check below
asserts that ``emulation_rules`` is imported from the venv, not from the checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from ..conftest import ROOT

DRIVER = r"""
import io, json, sys
from emulation_rules.cli.app import run
results = []
for argv in json.loads(sys.argv[1]):
    out, err = io.StringIO(), io.StringIO()
    results.append([argv, run(argv, stdout=out, stderr=err), out.getvalue(), err.getvalue()])
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(venv bin directory, a working directory outside the repository, the wheel)."""
    base = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "EMULATION_RULES_DOCUMENTS")}
    source = base / "source"  # a clean copy: no build/ left over from an earlier build
    source.mkdir()
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    for name in ("src", "campaigns", "examples"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                            "-q", "-w", str(base / "dist"), str(source)],
                           capture_output=True, text=True, timeout=600, env=env, cwd=base)
    assert build.returncode == 0, build.stderr
    (wheel,) = (base / "dist").glob("emulation_rules-*.whl")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=300)
    bin_dir = venv / "bin"
    purelib = Path(subprocess.run([str(bin_dir / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  capture_output=True, text=True, check=True).stdout.strip())
    # the dependencies, from this interpreter (never this repository's src: see the module doc)
    (purelib / "_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(bin_dir / "python"), "install", "-q",
                    "--no-deps", "--no-index", str(wheel)], check=True, timeout=300, env=env,
                   capture_output=True)
    work = base / "work"
    work.mkdir()
    return bin_dir, work, wheel, env


def test_the_wheel_carries_the_campaigns_their_cases_examples_and_excerpts(installed):
    _, _, wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for cid in ("dienbien_2020", "ldtt_cstdcs_2025", "phurieng_2017", "thanhhoa_2021_2030", "tkv_2019",
                "vgcl_certificates", "vinhlinh_2022"):
        assert f"emulation_rules/shipped/campaigns/{cid}.yaml" in names
        assert f"emulation_rules/shipped/campaigns/cases/{cid}.yaml" in names
        assert f"emulation_rules/shipped/examples/{cid}/facts.yaml" in names
    assert "emulation_rules/shipped/campaigns/documents/luat_tdkt_2022_trich.txt" in names
    assert not [n for n in names if "seeds" in n or n.endswith(("000_40cc82fbe8059212.txt",))]
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)


def test_from_a_fresh_venv_outside_the_repository(installed):
    bin_dir, work, _, env = installed
    where = subprocess.run([str(bin_dir / "python"), "-c", "import emulation_rules; print(emulation_rules.__file__)"],
                           capture_output=True, text=True, check=True, cwd=work, env=env).stdout
    assert str(bin_dir.parent) in where and str(ROOT) not in where
    listed = subprocess.run([str(bin_dir / "emulation-rules"), "campaigns", "--format", "json"],
                            capture_output=True, text=True, cwd=work, env=env, timeout=120)
    assert listed.returncode == 0, listed.stderr
    assert [c["id"] for c in json.loads(listed.stdout)] == [
        "dienbien_2020", "ldtt_cstdcs_2025", "phurieng_2017", "thanhhoa_2021_2030", "tkv_2019", "vgcl_certificates",
        "vinhlinh_2022"]
    commands = [
        ["example", "tkv_2019", "--dir", "ex"],
        ["evaluate", "tkv_2019", "--facts", "ex/facts.yaml"],
        ["evaluate", "tkv_2019", "--facts", "ex/facts.yaml", "--format", "json", "--backend", "python"],
        ["form", "tkv_2019", "-o", "form.xlsx"],
        ["evaluate", "tkv_2019", "--facts", "ex/facts.yaml", "--format", "xlsx", "-o", "results.xlsx"],
        ["evaluate", "tkv_2019", "--facts", "ex/facts.yaml", "--format", "html", "-o", "report.html"],
        ["validate", "ldtt_cstdcs_2025"],
    ]
    done = subprocess.run([str(bin_dir / "python"), "-c", DRIVER, json.dumps(commands)],
                          capture_output=True, text=True, cwd=work, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    answers = {" ".join(argv): (code, out, err) for argv, code, out, err in json.loads(done.stdout)}
    for line, (code, out, err) in answers.items():
        assert code == 0, (line, out, err)
        assert "Traceback" not in err
    assert sorted(p.name for p in (work / "ex").iterdir()) == ["README.md", "facts.yaml", "form.xlsx", "individuals.csv"]
    table = answers["evaluate tkv_2019 --facts ex/facts.yaml"]
    assert "CD-HALAM" in table[1]
    # the plan's text is not shipped: its lines are said once to be unchecked, and marked
    assert table[2].count("chưa được đối chiếu") == 1
    result = json.loads(answers["evaluate tkv_2019 --facts ex/facts.yaml --format json --backend python"][1])
    assert result["subjects"][0]["awards"][0]["criteria"][0]["source"]["lines_checked"] is False
    for name in ("form.xlsx", "results.xlsx", "report.html"):
        assert (work / name).stat().st_size > 1000
    # the legal excerpts are shipped: the acceptance campaign's lines are checked, no warning but
    # the one for its 15% cap, resting on the expired NĐ 91/2017 (documents in force, issue 19)
    warned = [line for line in answers["validate ldtt_cstdcs_2025"][1].splitlines()
              if line.startswith(("cảnh báo:", "warning:"))]
    assert warned and all(line.endswith("[document-not-in-force]") for line in warned), warned
