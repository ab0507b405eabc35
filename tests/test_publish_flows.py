"""The flows maintainers and contributors use: workflows, the pre-commit hook and the issue form."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT, copy_package

WORKFLOWS = ROOT / ".github" / "workflows"
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    """The test extra's command `name` (installed beside this Python), else the one on PATH."""
    here = BIN / name
    found = str(here) if here.exists() else shutil.which(name)
    assert found, f"{name} is not installed; pip install -e '.[test]' installs it"
    return found


def _workflow(name: str) -> dict[Any, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _runs(workflow: dict[Any, Any]) -> str:
    return "\n".join(step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"])


def _uses(workflow: dict[Any, Any]) -> list[str]:
    return [step["uses"] for job in workflow["jobs"].values() for step in job["steps"] if "uses" in step]


class TestWorkflows:
    def test_actionlint_passes_on_every_workflow(self) -> None:
        """actionlint (with shellcheck on every `run:` script) reports nothing on any workflow."""
        files = sorted(WORKFLOWS.glob("*.yml"))
        assert [f.name for f in files] == ["ci.yml", "release.yml"]
        shellcheck = _tool("shellcheck")
        r = subprocess.run(
            [_tool("actionlint"), "-color=false", "-oneline", "-shellcheck", shellcheck, *map(str, files)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        assert r.returncode == 0, r.stdout + r.stderr

    def test_actionlint_catches_a_broken_workflow(self, tmp_path: Path) -> None:
        """The lint is real: an unknown expression context in a workflow is reported."""
        bad = tmp_path / ".github" / "workflows" / "bad.yml"
        bad.parent.mkdir(parents=True)
        text = (WORKFLOWS / "ci.yml").read_text(encoding="utf-8").replace("github.base_ref", "github.no_such_ref")
        bad.write_text(text, encoding="utf-8")
        r = subprocess.run(
            [_tool("actionlint"), "-color=false", "-oneline", str(bad)], capture_output=True, text=True, check=False
        )
        assert r.returncode == 1 and "no_such_ref" in r.stdout

    def test_ci_validates_tests_and_posts_the_diff(self) -> None:
        """The pull-request workflow validates, runs the tests and writes the Markdown diff to the job summary."""
        ci = _workflow("ci.yml")
        assert "pull_request" in ci[True]  # YAML 1.1 reads the key `on` as True
        runs = _runs(ci)
        assert "powdata validate" in runs and "python -m pytest" in runs
        assert 'powdata diff --format markdown "git:origin/${BASE_REF}" . >> "$GITHUB_STEP_SUMMARY"' in runs
        assert "powdata site --to build/site" in runs and "pytest -m browser" in runs

    def test_release_builds_checks_publishes_and_deploys(self) -> None:
        """The release workflow builds and checks wheel and sdist, publishes by trusted publishing, deploys the site."""
        rel = _workflow("release.yml")
        runs = _runs(rel)
        assert "python -m build" in runs and "twine check --strict dist/*" in runs
        assert "pypa/gh-action-pypi-publish@release/v1" in _uses(rel)
        publish = rel["jobs"]["publish"]
        assert publish["permissions"] == {"id-token": "write"}  # trusted publishing: no stored token
        assert not any("password" in step.get("with", {}) for step in publish["steps"])
        assert any(u.startswith("actions/deploy-pages@") for u in _uses(rel))
        assert "powdata site --to build/site" in runs


class TestContributing:
    def test_wrong_figure_form_asks_for_the_observation_and_the_source(self) -> None:
        """The issue form has required fields for the observation id, the version and the source's words."""
        form = yaml.safe_load((ROOT / ".github" / "ISSUE_TEMPLATE" / "wrong-figure.yml").read_text(encoding="utf-8"))
        assert {"name", "description", "body"} <= set(form)
        required = {b["id"] for b in form["body"] if b.get("validations", {}).get("required")}
        assert required == {"observation", "version", "what", "source-says"}
        ids = [b["id"] for b in form["body"] if "id" in b]
        assert len(ids) == len(set(ids))

    def test_contributing_has_errata_and_points_to_the_form(self) -> None:
        """CONTRIBUTING.md says how to add a report, links the form and keeps an errata table."""
        text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
        assert "## Add a report" in text and "## Errata" in text
        assert ".github/ISSUE_TEMPLATE/wrong-figure.yml" in text
        assert "| found in | observation or source | what was wrong | corrected in |" in text


class TestPreCommitHook:
    def test_hook_manifest(self) -> None:
        """The manifest declares `powdata-validate`, run once per commit on the package's files."""
        (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
        assert hook["id"] == "powdata-validate" and hook["entry"] == "powdata validate"
        assert hook["pass_filenames"] is False and hook["language"] == "python"
        assert "pandera>=0.24" in hook["additional_dependencies"]

    @pytest.mark.slow
    def test_try_repo_passes_then_fails_on_a_broken_package(self, tmp_path: Path) -> None:
        """`pre-commit try-repo` installs the hook from this repository; it passes the package, fails a broken one."""
        repo = tmp_path / "hook-repo"
        subprocess.run(["git", "clone", "-q", "--no-local", str(ROOT), str(repo)], check=True)
        for rel in (".pre-commit-hooks.yaml", "pyproject.toml", "src"):  # the working tree's hook, not HEAD's
            src, dst = ROOT / rel, repo / rel
            if src.is_dir():
                shutil.rmtree(dst)
                shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy(src, dst)
        git = ["git", "-C", str(repo), "-c", "user.name=test", "-c", "user.email=test@localhost"]
        subprocess.run([*git, "add", "-A"], check=True)
        subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "the working tree's hook"], check=True)
        data = copy_package(tmp_path / "data-repo")
        subprocess.run(["git", "init", "-q", str(data)], check=True)
        subprocess.run(["git", "-C", str(data), "add", "-A"], check=True)
        env = {"PRE_COMMIT_HOME": str(tmp_path / "cache"), "PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(tmp_path)}
        # pip in the hook's environment installs as usual but does not byte-compile every module it unpacks
        # (half of each install; the hook's run compiles what it imports) nor ask the index for a newer pip.
        # pip reads a "--no-X" option from PIP_X=0 (pypa/pip#9955).
        env |= {"PIP_COMPILE": "0", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}

        def run() -> subprocess.CompletedProcess[str]:
            cmd = [_tool("pre-commit"), "try-repo", str(repo), "powdata-validate", "--all-files", "--verbose"]
            return subprocess.run(cmd, cwd=data, env=env, capture_output=True, text=True, check=False)

        ok = run()
        assert ok.returncode == 0 and "VALID: datapackage.json" in ok.stdout, ok.stdout + ok.stderr
        obs = data / "data" / "observations.csv"
        obs.write_text(obs.read_text(encoding="utf-8") + "broken,row\n", encoding="utf-8")
        bad = run()
        assert bad.returncode == 1 and "Failed" in bad.stdout and "observations" in bad.stdout, bad.stdout
