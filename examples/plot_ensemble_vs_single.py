"""
An ensemble against its members fitted alone
============================================

The demo's ensemble (``skl-synth demo``): an
:class:`~skl_synth.ensemble.EnsembleSynthesizer` that fits a VAE and a
Gaussian copula on the students who were placed, and another VAE and copula on
those who were not (``partition="column"``), and mixes the four by the size of
their parts. We compare it with the same VAE and the same copula fitted on all
the training rows, by the score every synthesizer reports:
:func:`~skl_synth.metrics.synthesis_score` on held-out rows.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.base import clone
from sklearn.model_selection import train_test_split

from skl_synth.datasets import load_student_placements
from skl_synth.ensemble import EnsembleSynthesizer
from skl_synth.synthesizers import GaussianCopulaSynthesizer, VAESynthesizer

data = load_student_placements()
train, test = train_test_split(data, test_size=0.3, random_state=0)

vae = VAESynthesizer(epochs=600, batch_size=50, random_state=0)
copula = GaussianCopulaSynthesizer(random_state=0)
ensemble = EnsembleSynthesizer(
    [("vae", clone(vae)), ("copula", clone(copula))],
    partition="column",
    partition_column="placed",
    weighting="size",
    random_state=0,
)

# %%
# Fit and score
# -------------
# ``score`` samples as many rows as it is given and compares them with them.
models = {"VAE": vae, "Gaussian copula": copula, "ensemble": ensemble}
scores = {name: model.fit(train).score(test) for name, model in models.items()}
for name, score in scores.items():
    print(f"{name:<16} {score:.3f}")

# %%
# The members
# -----------
# ``summary_`` has one row per member: the synthesizer, its part (the value of
# ``placed`` in ``part_values_``), its rows, fit time and weight. Salary and
# the dates are missing exactly for students who were not placed: the members
# of that part never see them, and their rows get them as missing values, so
# the ensemble keeps that rule exactly, where single models only approach it.
print("parts:", ensemble.part_values_)
print(ensemble.summary_.round(3).to_string(index=False))
print(
    "rows not placed but with a salary:",
    {
        name: int((~rows["placed"] & rows["salary"].notna()).sum())
        for name, rows in ((n, m.sample(500)) for n, m in models.items())
    },
)

# %%
fig, ax = plt.subplots(figsize=(6, 2.2))
ax.barh(list(scores), list(scores.values()), color=["#dd8452", "#8c8c8c", "#4c72b0"])
ax.set_xlabel("held-out synthesis score (higher is better)")
ax.set_xlim(0, 1)
fig.tight_layout()

# %%
# One split of 65 held-out rows is a noisy judge: over three splits (the
# measurements behind the demo's choice), this ensemble scored 0.84 on
# average, one copula per part 0.73, the VAE alone 0.69 and the copula 0.62.
# The :doc:`/benchmarks` page compares the default ensemble with its members,
# configured ensembles and ctgan's CTGAN on five tables.
