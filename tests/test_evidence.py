"""powdata evidence: every excerpt checked against retrieved texts that the tests write themselves.

The package carries no texts; the maintainers keep theirs outside it. These
tests build a folder of texts from the package's own excerpts (so they need
nothing beside the repository), then break one thing at a time.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from powdata.errors import PackageReadError
from powdata.evidence.check import check_evidence, cut_mid_word, number_spans
from powdata.release.build import build
from tests.conftest import copy_package, read_rows, write_rows


def _texts(pkg: Path, folder: Path, extra: dict[str, str] | None = None) -> Path:
    """Write one text per quoted publication: its excerpts, one paragraph each, plus ``extra`` text."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = {r["source_id"]: r for r in read_rows(pkg / "data" / "sources.csv")}
    paragraphs: dict[str, list[str]] = {}
    for q in read_rows(pkg / "data" / "quotes.csv"):
        paragraphs.setdefault(q["source_id"], []).append(q["excerpt"])
    for m in read_rows(pkg / "data" / "mentions.csv"):
        paragraphs.setdefault(m["quoted_in"], []).append(m["excerpt"])
    index = []
    for sid, paras in paragraphs.items():
        body = "\n\n".join(dict.fromkeys(paras)) + (extra or {}).get(sid, "")
        (folder / f"{sid}.txt").write_text(body + "\n", encoding="utf-8")
        index.append({"file": f"{sid}.txt", "url": sources[sid]["url"]})
    write_rows(folder / "index.csv", index)
    return folder


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A copy of the package, a folder of texts written from its excerpts, and an empty not-data list."""
    pkg = copy_package(tmp_path / "pkg")
    texts = _texts(pkg, tmp_path / "texts")
    not_data = tmp_path / "not-data.csv"
    not_data.write_text("source_id,number,context,reason\n", encoding="utf-8")
    return pkg, texts, not_data


def _edit(pkg: Path, table: str, key: str, row_id: str, **values: str) -> int:
    """Change one row of ``table`` and rebuild the descriptor; return the row's CSV line number."""
    path = pkg / "data" / f"{table}.csv"
    rows = read_rows(path)
    at = next(i for i, r in enumerate(rows) if r[key] == row_id)
    rows[at].update(values)
    write_rows(path, rows)
    build(pkg)
    return at + 2


class TestCleanTexts:
    def test_the_package_checks_clean_against_its_own_excerpts(self, setup: tuple[Path, Path, Path]) -> None:
        """Texts made of the excerpts give 0 problems: every quote and mention found, every number quoted."""
        pkg, texts, not_data = setup
        report = check_evidence(texts, pkg, not_data)
        assert report.problems == []
        assert report.quotes == len(read_rows(pkg / "data" / "quotes.csv")) and report.numbers > 0


class TestBrokenExcerpts:
    def test_one_changed_character_fails_naming_the_row(self, setup: tuple[Path, Path, Path]) -> None:
        """Changing one character of one excerpt is not-verbatim, and the problem names the quotes row."""
        pkg, texts, not_data = setup
        qid = "foreign-pows-held-2025-12-03--novyny-live"
        row = _edit(
            pkg, "quotes", "quote_id", qid, excerpt="136 граждан из 37 стран мира сейчас находятся у нас в плену!"
        )
        problems = check_evidence(texts, pkg, not_data).problems
        assert [(p.kind, p.where) for p in problems] == [("not-verbatim", f"data/quotes.csv, row {row} (quote {qid})")]

    def test_a_qualifier_cut_off_before_the_number_fails(self, setup: tuple[Path, Path, Path]) -> None:
        """'More than 100 …' quoted from '100 foreign nationals' and stored exact fails: the text's words decide."""
        pkg, texts, not_data = setup
        oid = "foreign-pows-held-2025-08-14"
        qid = f"{oid}--united24"
        excerpt = next(q["excerpt"] for q in read_rows(pkg / "data" / "quotes.csv") if q["quote_id"] == qid)
        assert excerpt.startswith("More than")
        row = _edit(pkg, "quotes", "quote_id", qid, excerpt=excerpt[len("More than ") :])
        _edit(pkg, "observations", "observation_id", oid, qualifier="exact")
        problems = check_evidence(texts, pkg, not_data).problems
        assert [(p.kind, p.where) for p in problems] == [("qualifier", f"data/quotes.csv, row {row} (quote {qid})")]
        assert "more_than" in problems[0].message

    def test_an_excerpt_cut_inside_a_number_fails(self, setup: tuple[Path, Path, Path]) -> None:
        """'13 from African states' cut out of '1,013 from African states' is cut-mid-word, naming the number."""
        pkg, texts, not_data = setup
        qid = "foreign-fighters-listed-africa-2025-08--united24"
        row = _edit(pkg, "quotes", "quote_id", qid, excerpt="13 from African states")
        problems = [p for p in check_evidence(texts, pkg, not_data).problems if p.kind == "cut-mid-word"]
        assert [p.where for p in problems] == [f"data/quotes.csv, row {row} (quote {qid})"]
        assert "'1,013'" in problems[0].message

    def test_a_quote_whose_figure_is_gone_fails(self, setup: tuple[Path, Path, Path]) -> None:
        """A verbatim excerpt that no longer carries its figure is figure-missing."""
        pkg, texts, not_data = setup
        qid = "foreign-pow-countries-2025-12-31--interfax"
        row = _edit(pkg, "quotes", "quote_id", qid, excerpt="foreign mercenaries from")
        problems = [p for p in check_evidence(texts, pkg, not_data).problems if p.where.startswith("data/quotes")]
        assert [(p.kind, p.where) for p in problems] == [
            ("figure-missing", f"data/quotes.csv, row {row} (quote {qid})")
        ]


class TestBoundedCost:
    def test_mismatches_are_located_a_bounded_number_of_times(
        self, setup: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """300 excerpts not in their text: each is one search; only the first MAX_LOCATED get the costly location."""
        from powdata.evidence import check

        pkg, texts, not_data = setup
        calls: list[str] = []
        real = check.mismatch

        def counted_mismatch(e: str, t: str) -> str:
            calls.append(e)
            return real(e, t)

        monkeypatch.setattr(check, "mismatch", counted_mismatch)
        rows = read_rows(pkg / "data" / "quotes.csv")
        rows += [dict(rows[0], quote_id=f"x-{i}", excerpt=f"made up {i} words") for i in range(300)]
        write_rows(pkg / "data" / "quotes.csv", rows)
        build(pkg)
        problems = [p for p in check_evidence(texts, pkg, not_data).problems if p.kind == "not-verbatim"]
        assert len(problems) == 300 and len(calls) == check.MAX_LOCATED


class TestNumbers:
    def test_a_number_neither_quoted_nor_listed_is_reported(self, tmp_path: Path) -> None:
        """A number in a quoted text outside every excerpt is unlisted-number; listing it with a reason clears it."""
        pkg = copy_package(tmp_path / "pkg")
        texts = _texts(pkg, tmp_path / "texts", {"interfax-2025-12-31": "\n\nOn average, 60 to 90 soldiers a week."})
        not_data = tmp_path / "not-data.csv"
        not_data.write_text("source_id,number,context,reason\n", encoding="utf-8")
        found = [p.message[:4] for p in check_evidence(texts, pkg, not_data).problems if p.kind == "unlisted-number"]
        assert found == ["'60'", "'90'"]
        with not_data.open("a", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["interfax-2025-12-31", "60", "60 to 90 soldiers", "all nationalities together"])
            w.writerow(["interfax-2025-12-31", "90", "", "all nationalities together"])
        assert check_evidence(texts, pkg, not_data).problems == []

    def test_a_stale_or_unexplained_listing_is_reported(self, setup: tuple[Path, Path, Path]) -> None:
        """A not-data row whose number is not in the text, or that gives no reason, is not-data-stale."""
        pkg, texts, not_data = setup
        not_data.write_text(
            "source_id,number,context,reason\ninterfax-2025-12-31,4242,,gone\ninterfax-2025-12-31,7,,\n",
            encoding="utf-8",
        )
        problems = check_evidence(texts, pkg, not_data).problems
        assert [(p.kind, p.where) for p in problems] == [
            ("not-data-stale", "not-data.csv, row 2 (interfax-2025-12-31, '4242')"),
            ("not-data-stale", "not-data.csv, row 3 (interfax-2025-12-31, '7')"),
        ]

    def test_numbers_are_found_as_texts_write_them(self) -> None:
        """'16,894', '3 388', '18.000' and '7%' are one number each; '31.12.2025' gives its parts."""
        text = "lists 16,894 people, щонайменше 3 388, mehr als 18.000 and 7% on 31.12.2025"
        assert [text[a:b] for a, b in number_spans(text)] == ["16,894", "3 388", "18.000", "7", "31.12", "2025"]

    def test_boundaries(self) -> None:
        """A slice must start and end between words and outside numbers."""
        text = "This includes 4,658 citizens; 1,013 from African states."
        spans = number_spans(text)
        start = text.index("13 from")
        assert "'1,013'" in str(cut_mid_word(text, start, start + 5, spans))
        assert cut_mid_word(text, text.index("1,013"), len(text) - 1, spans) is None
        assert "inside the word" in str(cut_mid_word(text, text.index("cludes"), len(text), spans))


class TestFolder:
    def test_a_publication_without_its_text_is_reported(self, setup: tuple[Path, Path, Path]) -> None:
        """A quoted publication whose url is not in the index is no-text, naming the source."""
        pkg, texts, not_data = setup
        rows = [r for r in read_rows(texts / "index.csv") if r["file"] != "sud-ua-2025-11-19.txt"]
        write_rows(texts / "index.csv", rows)
        problems = check_evidence(texts, pkg, not_data).problems
        assert [(p.kind, p.where) for p in problems] == [("no-text", "data/sources.csv (sud-ua-2025-11-19)")]

    def test_a_file_outside_the_folder_is_refused(self, setup: tuple[Path, Path, Path]) -> None:
        """An index naming ../anything is refused before anything is read."""
        pkg, texts, not_data = setup
        write_rows(texts / "index.csv", [{"file": "../secret.txt", "url": "https://example.org/"}])
        with pytest.raises(PackageReadError, match="not a plain file name"):
            check_evidence(texts, pkg, not_data)


class TestCommand:
    def test_cli_exit_codes_and_message(self, setup: tuple[Path, Path, Path]) -> None:
        """`powdata evidence DIR` exits 0 when clean and 1 naming the row when an excerpt changed."""
        pkg, texts, not_data = setup
        cmd = [
            sys.executable,
            "-m",
            "powdata",
            "evidence",
            str(texts),
            "--package",
            str(pkg),
            "--not-data",
            str(not_data),
        ]
        ok = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        assert ok.returncode == 0 and ok.stdout.startswith("OK:"), ok.stdout + ok.stderr
        qid = "foreign-share-of-pows-held-2025-12-31--interfax"
        row = _edit(pkg, "quotes", "quote_id", qid, excerpt="Currently, nearly 7% of all prisoners of war in Ukrain")
        bad = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        assert bad.returncode == 1 and f"data/quotes.csv, row {row} (quote {qid})" in bad.stdout

    def test_missing_folder_is_one_line_exit_2(self, tmp_path: Path) -> None:
        """A folder that does not exist is a one-line error, exit 2, no traceback."""
        r = subprocess.run(
            [sys.executable, "-m", "powdata", "evidence", str(tmp_path / "nope")], capture_output=True, text=True
        )
        assert r.returncode == 2 and "index.csv" in r.stderr and "Traceback" not in r.stderr


class TestHostileLists:
    """The package's not-data list and the texts' index are untrusted: gated, bounded, one-line errors."""

    def _run(self, texts: Path, pkg: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
        from powdata.cli import main

        code = main(["evidence", str(texts), "--package", str(pkg)])
        return code, capsys.readouterr().err

    def test_a_not_data_symlink_out_of_the_package_is_refused_unread(
        self, setup: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """evidence/not-data.csv linking outside the package is refused by the gate and its text never shown."""
        pkg, texts, _ = setup
        secret = tmp_path / "secret.txt"
        secret.write_text("TOPSECRET-LINE-ONE,xyz\n", encoding="utf-8")
        target = pkg / "evidence" / "not-data.csv"
        target.parent.mkdir(exist_ok=True)
        target.unlink(missing_ok=True)
        target.symlink_to(secret)
        code, err = self._run(texts, pkg, capsys)
        assert code == 2 and "outside the package" in err and "TOPSECRET" not in err
        assert err.count("\n") == 1

    def test_a_not_data_fifo_is_refused_without_blocking(
        self, setup: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """evidence/not-data.csv as a FIFO is refused as not a regular file instead of hanging."""
        import os

        pkg, texts, _ = setup
        target = pkg / "evidence" / "not-data.csv"
        target.parent.mkdir(exist_ok=True)
        target.unlink(missing_ok=True)
        os.mkfifo(target)
        code, err = self._run(texts, pkg, capsys)
        assert code == 2 and "not a regular file" in err

    def test_a_huge_csv_field_is_one_line_exit_2(
        self, setup: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A field over the csv field limit in not-data.csv or index.csv is a one-line error naming the file.

        Whatever limit another library set for the whole process: the reader states its own.
        """
        import csv
        import sys

        before = csv.field_size_limit(sys.maxsize)
        try:
            self._huge_field(setup, capsys)
        finally:
            csv.field_size_limit(before)

    def _huge_field(self, setup: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
        pkg, texts, _ = setup
        target = pkg / "evidence" / "not-data.csv"
        target.parent.mkdir(exist_ok=True)
        target.write_text('source_id,number,context,reason\nx,1,"' + "a" * 1_100_000 + '",r\n', encoding="utf-8")
        code, err = self._run(texts, pkg, capsys)
        assert code == 2 and "not-data.csv" in err and "internal error" not in err and err.count("\n") == 1
        target.write_text("source_id,number,context,reason\n", encoding="utf-8")
        index = texts / "index.csv"
        index.write_text(index.read_text(encoding="utf-8") + 'x.txt,"' + "b" * 1_100_000 + '"\n', encoding="utf-8")
        code, err = self._run(texts, pkg, capsys)
        assert code == 2 and "index.csv" in err and "internal error" not in err and err.count("\n") == 1

    def test_a_duplicate_url_in_the_index_is_an_error(self, setup: tuple[Path, Path, Path]) -> None:
        """Two texts claiming one url are refused, naming both rows, instead of silently keeping the last."""
        pkg, texts, not_data = setup
        rows = read_rows(texts / "index.csv")
        (texts / "dup.txt").write_text("nothing\n", encoding="utf-8")
        write_rows(texts / "index.csv", [*rows, {"file": "dup.txt", "url": rows[0]["url"]}])
        with pytest.raises(PackageReadError, match=r"row 2 .*one url, one text"):
            check_evidence(texts, pkg, not_data)

    def test_an_index_with_a_bom_is_read(self, setup: tuple[Path, Path, Path]) -> None:
        """An index.csv saved with a UTF-8 byte order mark (as Excel does) is read like one without."""
        pkg, texts, not_data = setup
        index = texts / "index.csv"
        index.write_bytes(b"\xef\xbb\xbf" + index.read_bytes())
        assert check_evidence(texts, pkg, not_data).ok


def test_many_quotes_of_a_common_word_stay_fast(setup: tuple[Path, Path, Path]) -> None:
    """Sixty quote rows whose excerpt is "the" in a 100 kB text are checked in seconds, not minutes (F6)."""
    import time

    pkg, texts, not_data = setup
    rows = read_rows(pkg / "data" / "quotes.csv")
    first = rows[0]
    sources = {r["source_id"]: r["url"] for r in read_rows(pkg / "data" / "sources.csv")}
    name = next(r["file"] for r in read_rows(texts / "index.csv") if r["url"] == sources[first["source_id"]])
    filler = "In the week to 12 March the headquarters said 1,234 people were held in 3 camps near the border. "
    with (texts / name).open("a", encoding="utf-8") as fh:
        fh.write(filler * 1000)
    write_rows(
        pkg / "data" / "quotes.csv", [*rows, *({**first, "quote_id": f"zz-{k}", "excerpt": "the"} for k in range(60))]
    )
    build(pkg)
    began = time.monotonic()
    report = check_evidence(texts, pkg, not_data)
    elapsed = time.monotonic() - began
    assert report.quotes == len(rows) + 60 and any(p.kind == "unlisted-number" for p in report.problems)
    assert elapsed < 15, f"{elapsed:.1f} s"
