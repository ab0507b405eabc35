"""The Data Package v1 copy: the v1 `datapackage` library accepts it in strict mode, offline."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import powdata
from powdata.errors import PowdataError
from powdata.export.datapackage_v1 import v1_descriptor, write_v1
from tests.conftest import run_cli


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse every socket connection, so a client that reaches for the network fails the test."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        msg = "network access attempted"
        raise OSError(msg)

    monkeypatch.setattr(socket.socket, "connect", refuse)


def _strict_read(descriptor: Path) -> dict[str, int]:
    """Open with datapackage (v1) in strict mode; read every resource with integrity and relations checks."""
    from datapackage import Package  # v1 library; installs beside frictionless 5 (test extra)

    pkg = Package(str(descriptor), strict=True)
    assert pkg.valid, pkg.errors
    assert pkg.profile.name == "tabular-data-package"
    counts = {}
    for res in pkg.resources:
        assert res.tabular, res.name
        counts[res.name] = len(res.read(integrity=True, relations=True))
    return counts


class TestV1Copy:
    def test_strict_v1_client_reads_every_table(self, tmp_path: Path, offline: None) -> None:
        """datapackage (v1) in strict mode validates the copy and reads every row, hashes and relations checked."""
        counts = _strict_read(write_v1(tmp_path / "v1"))
        assert counts == {name: len(powdata.load(name)) for name in powdata.list_resources()}

    def test_v2_descriptor_is_not_tabular_for_v1(self, offline: None) -> None:
        """The v2 descriptor as shipped is not a tabular package to a v1 client (why the copy exists)."""
        from datapackage import Package

        pkg = Package(str(powdata.path("datapackage.json")), strict=True)
        assert pkg.profile.name != "tabular-data-package" and not pkg.resources[0].tabular

    def test_broken_relation_is_caught_by_the_v1_client(
        self, edit_pkg: Callable[..., Path], tmp_path: Path, offline: None
    ) -> None:
        """A foreign key that names no row fails the v1 client's relations check (the check is real)."""
        pkg = edit_pkg("area_members", lambda rows: rows[1].update(member_id="XXX"))
        with pytest.raises(Exception, match=r"(?i)foreign key"):
            _strict_read(write_v1(tmp_path / "v1", path=pkg))

    def test_descriptor_in_v1_words(self) -> None:
        """profile replaces $schema/type; contributors get one v1 role; every resource is a tabular-data-resource."""
        v1 = v1_descriptor(powdata.descriptor())
        assert "$schema" not in v1 and v1["profile"] == "tabular-data-package"
        assert v1["contributors"] == [{"title": "powdata maintainers", "role": "author"}]
        assert all(r["profile"] == "tabular-data-resource" and "type" not in r for r in v1["resources"])

    def test_text_resources_are_left_out_and_said(self) -> None:
        """A non-tabular resource (0.2.0's source texts) is left out of the v1 copy, and the description says so."""
        desc = powdata.descriptor()
        desc["resources"].append({"name": "src-text", "path": "sources/x.txt", "mediatype": "text/plain"})
        v1 = v1_descriptor(desc)
        assert [r["name"] for r in v1["resources"]] == powdata.list_resources()
        left_out = v1["description"].split("left out: ", 1)[1].rstrip(".").split(", ")
        assert "src-text" in left_out
        assert left_out == [r["name"] for r in desc["resources"] if r["name"] not in powdata.list_resources()]


class TestWriting:
    def test_refuses_a_folder_with_files(self, tmp_path: Path) -> None:
        """A target folder that holds files is refused; nothing in it changes."""
        (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
        with pytest.raises(PowdataError, match="expected a new or empty folder"):
            write_v1(tmp_path)
        assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]

    def test_cli_writes_the_copy(self, tmp_path: Path) -> None:
        """`powdata export --to DIR` writes the v1 copy."""
        r = run_cli("export", "--to", str(tmp_path / "powdata-v1"))
        assert r.returncode == 0, r.stderr
        desc = json.loads((tmp_path / "powdata-v1" / "datapackage.json").read_text(encoding="utf-8"))
        assert desc["profile"] == "tabular-data-package"
        assert (tmp_path / "powdata-v1" / "data" / "observations.csv").is_file()
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folder left
