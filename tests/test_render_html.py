"""The HTML page without a browser: escaping of hostile spec text, CSP, self-containment."""
from __future__ import annotations

import base64
import hashlib
import json
import re

from checker.render.html import render_html, render_page, render_trace_html, safe_json
from checker.render.itf import read_itf, trace_to_itf
from tests.test_render_fixtures import ALL, EVIL, evil, mutex_race, spin_lasso

DATA_RE = re.compile(r'<script type="application/json" id="mmspec-data">(.*?)</script>', re.S)


def _sha(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def test_everything_from_the_spec_is_escaped() -> None:
    page = render_html(evil())
    # Only our two script elements, our one style; hostile names and source are text.
    assert page.count("<script") == 2 and page.count("<style") == 1
    assert "<img" not in page and "<b>a</b>" not in page and "<i>" not in page
    assert "alert('src')</script>" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page  # the spec name, as text
    assert "&lt;/script&gt;&lt;script&gt;alert(&#39;src&#39;)" in page  # its source line
    assert 'ev&#34;il&lt;&amp;&gt;.mms' in page  # the file name, quotes included
    assert "\x01" not in page  # control characters in messages are shown, not emitted


def test_embedded_json_cannot_close_its_tag() -> None:
    s = str(safe_json({"x": "</script><!-- \u2028 & <b>"}))
    assert "<" not in s and ">" not in s and "&" not in s and "\u2028" not in s
    assert json.loads(s) == {"x": "</script><!-- \u2028 & <b>"}
    page = render_html(evil())
    data = json.loads(DATA_RE.search(page).group(1))
    assert data["cases"][0]["steps"][1] == {"file": 0, "line": 3}


def test_csp_allows_exactly_our_inline_script_and_style() -> None:
    page = render_html(mutex_race())
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)
    csp = csp.replace("&#39;", "'")
    assert csp.startswith("default-src 'none';")
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    script = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(script) == 1
    assert f"style-src '{_sha(style)}'" in csp
    assert f"script-src '{_sha(script[0])}'" in csp


def test_self_contained() -> None:
    page = render_page([f() for n, f in ALL.items() if n != "evil"])
    assert not re.search(r"\b(src|href|action)\s*=", page)
    assert "@import" not in page and "url(" not in page
    assert "http://" not in page and "https://" not in page


def test_page_shows_lanes_locks_and_marks() -> None:
    page = render_html(mutex_race())
    assert '<th class="lane">t[1]</th><th class="lane">t[2]</th>' in page
    assert 'title="holder of lock m">[m]</th>' in page
    assert 'class="src-line prop-line" data-file="0" data-line="12"' in page
    assert page.count('class="stateview"') == 6  # states 0..5
    assert '<tr class="var changed"><td class="path">count</td><td class="value">2</td>' \
           '<td class="note">was 1</td></tr>' in page


def test_lasso_is_marked() -> None:
    page = render_html(spin_lasso())
    assert "loop-start" in page and "back at state 0: the loop repeats forever" in page


def test_rerender_from_itf() -> None:
    r = mutex_race()
    trace, meta = read_itf(json.loads(json.dumps(trace_to_itf(r.violations[0].trace, r))))
    assert render_trace_html(trace, meta) == render_html(r)


def test_fixture_is_hostile() -> None:
    assert "<script>" in EVIL
