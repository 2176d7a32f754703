"""`mmspec trace FILE.itf.json --html OUT | --text`: re-render a saved counterexample.

The ITF file carries the result and the render-relevant part of the spec in its `#meta`
(see `itf`), so this needs neither the spec file nor a re-run.
"""
from __future__ import annotations

from mmspec.outputs import write_atomic

from checker.render.html import render_html
from checker.render.itf import read_itf, result_from_meta
from checker.render.text import render_result


def rerender(itf_path: str, html_out: str | None, text: bool, color: bool = False) -> str:
    """Write the HTML page to `html_out` if given; return what to print: the text report
    (when `text`), else a one-line note of the file written."""
    trace, meta = read_itf(itf_path)
    result = result_from_meta(trace, meta)
    out = []
    if html_out:
        write_atomic(html_out, render_html(result))
    if text:
        out.append(render_result(result, color=color))
    elif html_out:
        out.append(f"wrote {html_out}\n")
    return "".join(out)
