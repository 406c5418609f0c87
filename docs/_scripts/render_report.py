"""Render the demo's HTML report in headless Chromium and check it.

Runs ``skl-synth demo`` (an ensemble fitted on 70% of
``load_student_placements()``; its report, from
:func:`skl_synth.report.make_report`, has target "placed" and the other 30%
as holdout), then opens the page in Debian's headless Chromium with every
host name unresolvable (so any external resource would fail) and:

- takes a screenshot, shrunk to a 256-colour PNG for the docs
  (``docs/_static/report_screenshot.png`` by default);
- fails when the browser logs a console error, an uncaught exception, or an
  image of the page that did not decode (a copy of the page gets a small
  script that logs every image's state on load; the page itself has none);
- fails when the screenshot lacks the colours of the plots.

Usage::

    python docs/_scripts/render_report.py [--epochs N] [--out-dir DIR]
        [--screenshot PATH] [--chromium /usr/bin/chromium]

Exit status 0 when every check passes, 1 otherwise (problems are printed).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "_static" / "report_screenshot.png"
WINDOW = (1280, 4000)
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # no network, even if one exists
    "--enable-logging=stderr",
    "--v=0",
    "--virtual-time-budget=10000",
]
# Logs each image's state once the page has loaded (console.error if broken).
PROBE = """<script>
window.addEventListener("load", () => {
  const images = Array.from(document.images);
  const broken = images.filter((im) => !im.complete || im.naturalWidth === 0);
  for (const im of broken) console.error("REPORT-CHECK broken image: " + im.alt);
  console.log("REPORT-CHECK loaded " + images.length + " images, "
              + broken.length + " broken");
});
</script>"""
CONSOLE = re.compile(r":(INFO|WARNING|ERROR):CONSOLE[^\]]*\] \"(.*)\", source: (.*)$")


def build_report(html_path, epochs=None, seed=0):
    """Run ``skl-synth demo``, writing its report to ``html_path``."""
    import torch

    from skl_synth.cli import main as skl_synth

    torch.set_num_threads(1)
    synthetic = Path(html_path).with_name("synthetic.csv")
    argv = ["demo", "--quiet", "--seed", str(seed), "-o", str(synthetic)]
    argv += ["--report", str(html_path)]
    if epochs is not None:
        argv += ["--epochs", str(epochs)]
    if skl_synth(argv) != 0:
        raise SystemExit("skl-synth demo failed")


def render(html_path, screenshot_path, chromium="/usr/bin/chromium"):
    """Screenshot ``html_path``; return the console messages and problems."""
    with tempfile.TemporaryDirectory() as tmp:
        probed = Path(tmp) / "probed.html"
        page = Path(html_path).read_text(encoding="utf-8")
        probed.write_text(page.replace("</body>", PROBE + "</body>"), "utf-8")
        command = [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp}/profile",
            f"--window-size={WINDOW[0]},{WINDOW[1]}",
            f"--screenshot={screenshot_path}",
            probed.as_uri(),
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    messages = [m.groups() for m in map(CONSOLE.search, done.stderr.splitlines()) if m]
    # The page has no script: every console message but the probe's count
    # (an uncaught exception, a broken image) is a problem.
    problems = [
        f"console: {text} ({source})"
        for _, text, source in messages
        if not text.startswith("REPORT-CHECK loaded")
    ]
    if not any(text.startswith("REPORT-CHECK loaded") for _, text, _ in messages):
        problems.append(
            "the probe did not report: console messages were not captured "
            f"(chromium exit status {done.returncode})"
        )
    if not Path(screenshot_path).exists():
        problems.append(f"no screenshot written (exit status {done.returncode})")
    return [text for _, text, _ in messages], problems


def check_screenshot(path, colours=("#4c72b0", "#dd8452"), min_share=0.002):
    """Problems with the screenshot: missing plot colours, blank page."""
    from PIL import Image

    pixels = Image.open(path).convert("RGB")
    counts = dict((rgb, n) for n, rgb in pixels.getcolors(maxcolors=1 << 24))
    total = pixels.width * pixels.height
    problems = []
    for colour in colours:
        rgb = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
        share = counts.get(rgb, 0) / total
        if share < min_share:
            problems.append(f"screenshot has {share:.2%} of pixels in {colour}")
    return problems


def shrink(path, width=900):
    """Crop the blank bottom, downscale to ``width`` pixels and 256 colours."""
    from PIL import Image, ImageChops

    image = Image.open(path).convert("RGB")
    blank = Image.new("RGB", image.size, (255, 255, 255))
    bottom = ImageChops.difference(image, blank).getbbox()[3]
    image = image.crop((0, 0, image.width, min(image.height, bottom + 20)))
    height = round(image.height * width / image.width)
    image = image.resize((width, height), Image.LANCZOS)
    image = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    image.save(path, optimize=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--out-dir", type=Path, default=None)
    parser.add_argument("--screenshot", type=Path, default=SCREENSHOT)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args(argv)
    out_dir = args.out_dir or Path(tempfile.mkdtemp(prefix="skl_synth_report_"))
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / "report.html"
    build_report(html_path, args.epochs)
    raw_shot = out_dir / "screenshot.png"
    messages, problems = render(html_path, raw_shot, args.chromium)
    if raw_shot.exists():
        problems += check_screenshot(raw_shot)
        args.screenshot.parent.mkdir(parents=True, exist_ok=True)
        args.screenshot.write_bytes(raw_shot.read_bytes())
        shrink(args.screenshot)
    print(f"report: {html_path} ({html_path.stat().st_size / 1e3:.0f} kB)")
    print("console:", *messages, sep="\n  ")
    if args.screenshot.exists():
        size = args.screenshot.stat().st_size / 1e3
        print(f"screenshot: {args.screenshot} ({size:.0f} kB)")
    print("problems:", *(problems or ["none"]), sep="\n  ")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
