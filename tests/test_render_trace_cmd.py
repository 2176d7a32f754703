"""`mmspec trace FILE.itf.json --html OUT / --text` through `trace_cmd.rerender`."""
from __future__ import annotations

from pathlib import Path

from checker.render.html import render_html
from checker.render.itf import write_itf
from checker.render.text import render_result
from checker.render.trace_cmd import rerender
from tests.test_render_fixtures import abba, mutex_race


def test_text_and_html_from_a_saved_trace(tmp_path: Path) -> None:
    r = mutex_race()
    itf = tmp_path / "race.itf.json"
    write_itf(itf, r.violations[0].trace, r)
    out = tmp_path / "race.html"
    assert rerender(str(itf), str(out), text=True) == render_result(r)
    assert out.read_text(encoding="utf-8") == render_html(r)
    assert rerender(str(itf), str(tmp_path / "b.html"), text=False) == \
        f"wrote {tmp_path / 'b.html'}\n"


def test_other_violations_are_listed_without_traces(tmp_path: Path) -> None:
    r = abba()
    itf = tmp_path / "abba.itf.json"
    write_itf(itf, r.violations[0].trace, r)
    text = rerender(str(itf), None, text=True)
    assert text.count("Counterexample:") == 1
    assert "✗ lock-order cycle" in text and "(no trace for this violation here)" in text
    assert "which was not found" not in text
