"""make_report: a self-contained page with every section, PNGs, a browser check."""

import base64
import importlib.util
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import train_test_split

from skl_synth.metrics import evaluate
from skl_synth.metrics._report import _associations
from skl_synth.report import make_report
from skl_synth.synthesizers import GaussianCopulaSynthesizer, VAESynthesizer
from skl_synth.utils._testing import TINY_PARAMS

pytest.importorskip("matplotlib")

CHROMIUM = Path("/usr/bin/chromium")
SCRIPT = Path(__file__).resolve().parents[1] / "docs" / "_scripts" / "render_report.py"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FEW_COLUMNS = ["gender", "mba_perc", "salary", "placed", "start_date"]


@pytest.fixture(scope="module")
def split(_placements_frame):
    return train_test_split(_placements_frame, test_size=0.3, random_state=0)


@pytest.fixture(scope="module")
def vae(split):
    return VAESynthesizer(**TINY_PARAMS["VAESynthesizer"]).fit(split[0])


@pytest.fixture(scope="module")
def report(split, vae, tmp_path_factory):
    """The report of a tiny VAE, with utility rows and PNG files."""
    train, holdout = split
    folder = tmp_path_factory.mktemp("report")
    synthetic = vae.sample(len(train))
    scores = make_report(
        train,
        synthetic,
        folder / "report.html",
        synthesizer=vae,
        target="placed",
        holdout=holdout,
        png_dir=folder / "png",
        random_state=0,
    )
    page = (folder / "report.html").read_text(encoding="utf-8")
    return {"folder": folder, "page": page, "scores": scores, "synthetic": synthetic}


def embedded_images(page):
    return {
        alt: base64.b64decode(data)
        for alt, data in re.findall(
            r"<img alt='(\w+)' src='data:image/png;base64,([A-Za-z0-9+/=]+)'>", page
        )
    }


def test_page_has_every_section(report):
    page = report["page"]
    assert page.startswith("<!DOCTYPE html>")
    for section in ("scores", "distributions", "associations", "training"):
        assert f"<section id='{section}'>" in page
    for title in ("Column distributions", "Pairwise associations", "Training losses"):
        assert title in page
    for metric in report["scores"]["metric"]:
        assert f"<td>{metric}</td>" in page
    for prop in ("fidelity", "privacy", "utility"):
        assert f"<h3>{prop}</h3>" in page
    assert "VAESynthesizer(" in page  # the synthesizer's parameters
    assert set(embedded_images(page)) == {"distributions", "associations", "losses"}


def test_page_is_self_contained(report):
    page = report["page"]
    # nothing fetched: no script, stylesheet link, external src/href or url()
    assert not re.search(r"<script|<link|<iframe|@import|url\(", page, re.I)
    assert not re.search(r"(src|href)\s*=\s*['\"]?\s*(https?:)?//", page, re.I)
    assert "http://" not in page and "https://" not in page
    sources = re.findall(r"src=['\"]([^'\"]*)", page)
    assert sources and all(s.startswith("data:image/png;base64,") for s in sources)
    links = re.findall(r"href=['\"]([^'\"]*)", page)
    assert links and all(link.startswith("#") for link in links)
    for image in embedded_images(page).values():
        assert image.startswith(PNG_SIGNATURE)


def test_png_files_match_the_page(report):
    folder = report["folder"] / "png"
    written = {path.stem: path.read_bytes() for path in folder.glob("*.png")}
    assert written == embedded_images(report["page"])


def test_scores_are_those_of_evaluate(split, report):
    train, holdout = split
    expected = evaluate(
        train, report["synthetic"], target="placed", holdout=holdout, random_state=0
    )
    pd.testing.assert_frame_equal(report["scores"], expected)


def test_ensemble_members_and_their_losses(split, vae, tmp_path):
    """A duck-typed ensemble: members_, parts_, member_parts_, weights_."""
    train = split[0][FEW_COLUMNS]  # a narrow table: fewer, faster plots
    copula = GaussianCopulaSynthesizer(random_state=0).fit(train)
    synthetic = copula.sample(len(train))

    class Ensemble:
        members_ = [("vae_0", vae), ("vae_1", vae), ("copula_0", copula)]
        parts_ = [np.arange(40), np.arange(40, 150)]
        member_parts_ = np.array([0, 1, 1])
        weights_ = np.array([0.25, 0.5, 0.25])

    path = tmp_path / "ensemble.html"
    make_report(train, synthetic, path, synthesizer=Ensemble(), png_dir=tmp_path)
    page = path.read_text(encoding="utf-8")
    members = page[page.index("<section id='ensemble'>") :]
    members = members[: members.index("</section>")]
    rows = re.findall(r"<tr>(.*?)</tr>", members)
    cells = [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row) for row in rows]
    assert cells[0] == [
        "member",
        "synthesizer",
        "part",
        "part rows",
        "part value",
        "weight",
    ]
    assert cells[1:] == [
        ["vae_0", "VAESynthesizer", "0", "40", "", "0.250"],
        ["vae_1", "VAESynthesizer", "1", "110", "", "0.500"],
        ["copula_0", "GaussianCopulaSynthesizer", "1", "110", "", "0.250"],
    ]
    assert (tmp_path / "losses.png").exists()  # the members' histories

    class PlainEnsemble:  # estimators without names, one part per member
        members_ = [copula, copula]
        parts_ = [np.arange(10), np.arange(10, 30)]
        weights_ = [0.5, 0.5]

    make_report(train, synthetic, path, synthesizer=PlainEnsemble())
    page = path.read_text(encoding="utf-8")
    assert "<td>GaussianCopulaSynthesizer</td><td>GaussianCopulaSynthesizer</td>" in (
        page
    )
    assert "<td>1</td><td>20</td><td></td>" in page
    assert "recorded no loss curve" in page


def test_ensemble_synthesizer(split, tmp_path):
    """The real EnsembleSynthesizer: one member per class of "placed"."""
    from skl_synth.ensemble import EnsembleSynthesizer

    train = split[0][FEW_COLUMNS]
    ensemble = EnsembleSynthesizer(
        [("copula", GaussianCopulaSynthesizer())],
        partition="column",
        partition_column="placed",
        weighting="size",
        random_state=0,
    ).fit(train)
    path = tmp_path / "ensemble.html"
    make_report(train, ensemble.sample(len(train)), path, synthesizer=ensemble)
    page = path.read_text(encoding="utf-8")
    sizes = train["placed"].value_counts()
    for part, value in enumerate([False, True]):
        weight = sizes[value] / len(train)
        assert (
            f"<td>copula_{part}</td><td>GaussianCopulaSynthesizer</td><td>{part}</td>"
            f"<td>{sizes[value]}</td><td>{value}</td>"
            f"<td class='num'>{weight:.3f}</td>"
        ) in page


def test_without_losses_or_synthesizer(split, tmp_path):
    train = split[0][FEW_COLUMNS]  # a narrow table: fewer, faster plots
    copula = GaussianCopulaSynthesizer(random_state=0).fit(train)
    synthetic = copula.sample(len(train))
    path = tmp_path / "copula.html"
    make_report(train, synthetic, path, synthesizer=copula, png_dir=tmp_path / "p")
    page = path.read_text(encoding="utf-8")
    assert "GaussianCopulaSynthesizer recorded no loss curve" in page
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == [
        "associations.png",
        "distributions.png",
    ]
    make_report(train, synthetic, path)
    page = path.read_text(encoding="utf-8")
    assert "<section id='training'>" not in page
    assert "<section id='ensemble'>" not in page


def test_other_dtypes(tmp_path):
    """Time-zone aware dates, timedeltas, categories, booleans with missing
    values and NaN: every column gets its plot."""

    def table(seed, n=60):
        rng = np.random.default_rng(seed)
        return pd.DataFrame(
            {
                "when": pd.date_range("2021-01-01", periods=n, tz="Europe/Paris"),
                "lag": pd.to_timedelta(rng.integers(0, 100, n), unit="h"),
                "kind": pd.Categorical(rng.choice(list("abc"), n)),
                "flag": pd.Series(rng.choice([True, False, None], n), dtype=object),
                "x": np.where(rng.random(n) < 0.1, np.nan, rng.normal(size=n)),
            }
        )

    scores = make_report(
        table(0), table(1), tmp_path / "r.html", holdout=table(2), png_dir=tmp_path
    )
    assert scores["score"].notna().all()
    assert sorted(p.name for p in tmp_path.glob("*.png")) == [
        "associations.png",
        "distributions.png",
    ]


def test_bad_input_writes_nothing(split, tmp_path):
    train, holdout = split
    path = tmp_path / "report.html"
    with pytest.raises(ValueError, match="synthetic lacks"):
        make_report(train, train.drop(columns="gender"), path)
    with pytest.raises(ValueError, match="pass them as holdout="):
        make_report(train, holdout, path, target="placed")
    assert not path.exists()


def test_missing_matplotlib_is_explained(split, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"skl-synth\[report\]"):
        make_report(split[0], split[1], tmp_path / "report.html")


def test_associations():
    """Spearman, Cramér's V and the correlation ratio on known cases."""
    rng = np.random.default_rng(0)
    n = 400
    x = rng.normal(size=n)
    colour = np.where(x > 0, "red", "blue")
    frame = pd.DataFrame(
        {
            "x": x,
            "cube": -(x**3),  # monotone decreasing in x
            "noise": rng.normal(size=n),
            "colour": colour,
            "same": np.where(x > 0, "up", "down"),  # a relabelled colour
            "coin": rng.choice(["h", "t"], size=n),
            "level": np.where(colour == "red", 5.0, -5.0),  # set by colour
        }
    )
    sdtypes = {c: "categorical" for c in ("colour", "same", "coin")}
    sdtypes.update({c: "numerical" for c in ("x", "cube", "noise", "level")})
    matrix = _associations(frame, sdtypes)
    assert matrix.loc["x", "cube"] == pytest.approx(-1)
    assert abs(matrix.loc["x", "noise"]) < 0.1
    assert matrix.loc["colour", "same"] == pytest.approx(1)
    assert matrix.loc["colour", "coin"] < 0.1
    assert matrix.loc["level", "colour"] == pytest.approx(1)
    assert matrix.loc["noise", "colour"] < 0.1
    assert np.allclose(matrix, matrix.T)


def load_script():
    spec = importlib.util.spec_from_file_location("render_report", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="the headless-browser check needs Debian's chromium at /usr/bin/chromium "
    "(apt-get install chromium); CI does not install it",
)
def test_renders_in_headless_chromium(report, tmp_path):
    """No console error, every image decoded, the plots' colours on screen;
    and the check fails on a page with a script error and a remote image."""
    script = load_script()
    shot = tmp_path / "shot.png"
    messages, problems = script.render(report["folder"] / "report.html", shot)
    assert problems == []
    assert messages == ["REPORT-CHECK loaded 3 images, 0 broken"]
    assert script.check_screenshot(shot) == []

    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!DOCTYPE html><html><body><img alt='remote' "
        "src='https://example.com/a.png'><script>missing();</script></body></html>"
    )
    _, problems = script.render(bad, tmp_path / "bad.png")
    assert any("Uncaught ReferenceError" in p for p in problems)
    assert any("broken image: remote" in p for p in problems)
    assert script.check_screenshot(tmp_path / "bad.png") != []
