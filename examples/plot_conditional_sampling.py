"""
Conditional sampling
====================

Synthesizers generate rows that take given values in discrete columns,
exactly: a dict of conditions applies to every row, a DataFrame gives one row
of conditions per generated row.
"""

# %%
import matplotlib.pyplot as plt
import pandas as pd

from skl_synth.datasets import load_student_placements
from skl_synth.synthesizers import VAESynthesizer

data = load_student_placements()
vae = VAESynthesizer(epochs=60, batch_size=50, random_state=0).fit(data)

# %%
# The same condition for every row
# --------------------------------
# Students who were not placed have no salary in the real table; the
# conditioned cells are exact, the rest is what the model learned.
not_placed = vae.sample(200, conditions={"placed": False})
print("placed:", not_placed["placed"].unique())
print("share without salary:", not_placed["salary"].isna().mean().round(2))

# %%
# One condition per row
# ---------------------
# A DataFrame with one row per generated row; a missing cell leaves that row
# free in that column.
wanted = pd.DataFrame(
    {"mba_spec": ["Mkt&HR"] * 100 + ["Mkt&Fin"] * 100, "gender": ["F", None] * 100}
)
rows = vae.sample(len(wanted), conditions=wanted)
print(pd.crosstab(rows["mba_spec"], rows["gender"]))

# %%
# Values never seen
# -----------------
# A value the model never saw is refused with the values it knows.
try:
    vae.sample(10, conditions={"high_spec": "Law"})
except ValueError as error:
    print(error)

# %%
# Distributions under a condition
# -------------------------------
# The MBA grades of real and generated students, by placement.
placed = vae.sample(200, conditions={"placed": True})
fig, ax = plt.subplots(figsize=(6, 3))
for label, real, fake, colour in [
    ("placed", data[data["placed"]], placed, "#4c72b0"),
    ("not placed", data[~data["placed"]], not_placed, "#dd8452"),
]:
    ax.hist(
        real["mba_perc"],
        bins=15,
        density=True,
        alpha=0.35,
        color=colour,
        label=f"real, {label}",
    )
    ax.hist(
        fake["mba_perc"],
        bins=15,
        density=True,
        histtype="step",
        lw=2,
        color=colour,
        label=f"synthetic, {label}",
    )
ax.set_xlabel("mba_perc")
ax.legend(fontsize=8)
fig.tight_layout()
