"""The HTML page of :func:`skl_synth.report.make_report`: one file, no scripts."""

from __future__ import annotations

import base64
import html

import numpy as np

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif;
       margin: 2em auto; max-width: 1250px; color: #222; line-height: 1.4; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ccc; }
nav a { margin-right: 1.2em; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left;
         vertical-align: top; }
th { background: #f4f4f4; } td.num { text-align: right;
  font-variant-numeric: tabular-nums; }
img { max-width: 100%; height: auto; }
.meta, .note { color: #555; } code { font-size: 0.9em; }
"""


def _page(scores, images, synthesizer, members, counts, n_columns):
    from .. import __version__

    sizes = ", ".join(f"{name}: {count} rows" for name, count in counts.items())
    meta = f"{sizes}; {n_columns} columns."
    if synthesizer is not None:
        meta += f" Synthesizer: <code>{_escape(repr(synthesizer))}</code>."
    sections = [
        ("scores", "Scores", _scores_html(scores)),
        (
            "distributions",
            "Column distributions",
            "<p class='note'>Real rows in blue, synthetic rows in orange; "
            "histograms share their bins and show densities.</p>"
            + _image(images, "distributions"),
        ),
        (
            "associations",
            "Pairwise associations",
            "<p class='note'>Association of the real rows minus that of the "
            "synthetic rows: Spearman's rho between numeric (and date) columns, "
            "Cramér's V between categorical ones, the correlation ratio between "
            "a categorical and a numeric column. White is preserved; red: "
            "weaker in the synthetic rows, blue: stronger.</p>"
            + _image(images, "associations"),
        ),
    ]
    if members is not None:
        sections.append(("ensemble", "Ensemble members", _members_html(members)))
    if synthesizer is not None:
        body = (
            _image(images, "losses")
            if "losses" in images
            else (
                f"<p class='note'>{_escape(type(synthesizer).__name__)} recorded no "
                "loss curve (no <code>history_</code> of two epochs or more).</p>"
            )
        )
        sections.append(("training", "Training losses", body))
    nav = " ".join(f"<a href='#{key}'>{title}</a>" for key, title, _ in sections)
    content = "\n".join(
        f"<section id='{key}'><h2>{title}</h2>\n{body}</section>"
        for key, title, body in sections
    )
    return (
        "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>\n"
        f"<title>Synthetic data report</title>\n<style>{_STYLE}</style>\n"
        "</head>\n<body>\n<h1>Synthetic data report</h1>\n"
        f"<p class='meta'>{meta}</p>\n<nav>{nav}</nav>\n{content}\n"
        f"<footer class='meta'><p>Made by skl_synth {_escape(__version__)} "
        "(skl_synth.report.make_report).</p></footer>\n</body>\n</html>\n"
    )


def _scores_html(scores):
    parts = []
    for prop, group in scores.groupby("property", sort=False):
        rows = "".join(
            "<tr>"
            f"<td>{_escape(row.metric)}</td>"
            f"<td class='num' style='{_colour(row.score)}'>{_number(row.score)}</td>"
            f"<td class='num'>{_number(row.raw)}</td>"
            f"<td>{_escape(row.good)}</td><td>{_escape(row.description)}</td>"
            "</tr>"
            for row in group.itertuples()
        )
        parts.append(
            f"<h3>{_escape(prop)}</h3><table><thead><tr><th>metric</th>"
            "<th>score</th><th>raw</th><th>good</th><th>what it measures</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>"
        )
    return "\n".join(parts)


def _members_html(members):
    shown = members
    head = "".join(f"<th>{_escape(c)}</th>" for c in shown.columns)
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td class='num'>{_number(v)}</td>"
            if isinstance(v, float)
            else f"<td>{_escape('' if v is None else v)}</td>"
            for v in row
        )
        + "</tr>"
        for row in shown.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _image(images, name):
    data = base64.b64encode(images[name]).decode("ascii")
    return f"<img alt='{name}' src='data:image/png;base64,{data}'>"


def _colour(score):
    if not np.isfinite(score):
        return ""
    hue = 120 * min(max(score, 0.0), 1.0)  # red (0) to green (1)
    return f"background: hsl({hue:.0f}, 65%, 82%)"


def _number(value):
    return "&ndash;" if value is None or not np.isfinite(value) else f"{value:.3f}"


def _escape(value):
    return html.escape(str(value), quote=True)
