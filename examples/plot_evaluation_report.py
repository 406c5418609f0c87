"""
Evaluating synthetic rows, and the HTML report
==============================================

:func:`~skl_synth.metrics.evaluate` scores synthetic rows for fidelity,
privacy and, given a target, utility, in one table;
:func:`~skl_synth.report.make_report` writes the same table with plots into
one self-contained HTML page.
"""

# %%
import tempfile
from pathlib import Path

import matplotlib.image as mpimg
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from skl_synth.datasets import load_student_placements
from skl_synth.metrics import evaluate
from skl_synth.report import make_report
from skl_synth.synthesizers import GaussianCopulaSynthesizer

data = load_student_placements()
train, holdout = train_test_split(data, test_size=0.3, random_state=0)
copula = GaussianCopulaSynthesizer(random_state=0).fit(train)
synthetic = copula.sample(len(train))

# %%
# The scores
# ----------
# Every score is higher-is-better; ``raw`` holds the un-normalized value where
# there is one (an AUC, a share of rows), ``good`` says what a good value is.
scores = evaluate(train, synthetic, target="placed", holdout=holdout, random_state=0)
with pd.option_context("display.width", 120):
    print(scores.drop(columns="description").round(3).to_string(index=False))

# %%
# A bad synthesizer, for comparison
# ---------------------------------
# Every column shuffled on its own keeps each column's distribution and
# destroys everything between columns: column shapes stay perfect, pair trends
# and the detection test collapse.
rng = np.random.default_rng(0)
shuffled = train.apply(lambda column: rng.permutation(column.to_numpy()))
bad = evaluate(train, shuffled, random_state=0).set_index("metric")["score"]
print(
    pd.DataFrame({"copula": scores.set_index("metric")["score"], "shuffled": bad})
    .loc[["quality", "column_shapes", "column_pair_trends", "detection"]]
    .round(3)
)

# %%
# The report
# ----------
# ``make_report`` writes the HTML page and, with ``png_dir``, its figures as
# PNG files; here we show the distributions of the 16 columns.
folder = Path(tempfile.mkdtemp())
make_report(
    train,
    synthetic,
    folder / "report.html",
    synthesizer=copula,
    target="placed",
    holdout=holdout,
    png_dir=folder,
    random_state=0,
)
print(sorted(path.name for path in folder.iterdir()))

fig, ax = plt.subplots(figsize=(8, 6))
ax.imshow(mpimg.imread(folder / "distributions.png"))
ax.set_axis_off()
fig.tight_layout()
