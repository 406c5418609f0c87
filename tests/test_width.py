"""Discrete marginals as the table grows wide (issue 35).

Every column is a skewed small integer (values 0-6, P(k) proportional to
0.5 ** k, independent), the table of the issue. With one-hot groups
diffused as Gaussian values and the noise predicted on them, the diffusion
model's categories drifted towards uniform as columns were added: mean TVD
0.02 at 5 columns, 0.32 at 20 and 0.42 at 60 after 60 passes. Each
synthesizer here, small and briefly trained, must keep every column's
frequencies; `benchmarks/width.py` measures the defaults up to 200 columns.
The last tests fit tables of one kind of column only, or one of each.
"""

import numpy as np
import pandas as pd
import pytest

from skl_synth.ensemble import EnsembleSynthesizer
from skl_synth.synthesizers import (
    DiffusionSynthesizer,
    GANSynthesizer,
    GaussianCopulaSynthesizer,
    VAESynthesizer,
)

SMALL = {
    "copula": lambda: GaussianCopulaSynthesizer(random_state=0),
    "GAN": lambda: GANSynthesizer(
        epochs=100,
        batch_size=200,
        generator_dim=(128,),
        discriminator_dim=(128,),
        random_state=0,
    ),
    "VAE": lambda: VAESynthesizer(epochs=30, batch_size=100, random_state=0),
    "diffusion": lambda: DiffusionSynthesizer(
        epochs=30,
        batch_size=100,
        hidden_dims=(64, 64),
        dim_t=64,
        sampling_steps=10,
        random_state=0,
    ),
}


def skewed_integers(n_columns, n_rows, seed=0):
    """The issue's table: independent columns, P(k) proportional to 0.5 ** k."""
    rng = np.random.default_rng(seed)
    p = 0.5 ** np.arange(7)
    p /= p.sum()
    return pd.DataFrame({f"c{j}": rng.choice(7, n_rows, p=p) for j in range(n_columns)})


def mean_tvd(real, synthetic):
    """Mean over columns of the total variation distance of their frequencies."""
    distances = []
    for column in real.columns:
        p = real[column].value_counts(normalize=True)
        q = synthetic[column].value_counts(normalize=True)
        p, q = p.align(q, fill_value=0.0)
        distances.append(0.5 * float((p - q).abs().sum()))
    return float(np.mean(distances))


@pytest.mark.parametrize("n_columns", [5, 20, 60])
@pytest.mark.parametrize("name", list(SMALL))
def test_discrete_marginals_hold_as_columns_grow(name, n_columns):
    real = skewed_integers(n_columns, 1_000)
    synthetic = SMALL[name]().fit(real).sample(2_000)
    assert synthetic.dtypes.equals(real.dtypes)
    # two samples of these sizes differ by about 0.02 (the copula's figure)
    assert mean_tvd(real, synthetic) <= 0.045


@pytest.mark.parametrize(
    "columns",
    [["d0", "d1", "d2"], ["x0", "x1"], ["d0", "x0"], ["d0"], ["x0"]],
    ids=["discrete", "continuous", "one-of-each", "one-discrete", "one-continuous"],
)
@pytest.mark.parametrize("name", [*SMALL, "ensemble"])
def test_tables_of_one_kind_or_one_of_each(name, columns):
    rng = np.random.default_rng(1)
    full = pd.DataFrame(
        {
            "d0": rng.choice(["a", "b", "c"], 200, p=[0.6, 0.3, 0.1]),
            "d1": rng.integers(0, 3, 200),
            "d2": rng.random(200) < 0.2,
            "x0": rng.normal(10, 2, 200),
            "x1": rng.lognormal(0, 1, 200),
        }
    )
    real = full[columns]
    if name == "ensemble":
        model = EnsembleSynthesizer(
            [("VAE", SMALL["VAE"]()), ("diffusion", SMALL["diffusion"]())],
            random_state=0,
        )
    else:
        model = SMALL[name]()
    synthetic = model.fit(real).sample(300)
    assert list(synthetic.columns) == columns
    assert synthetic.dtypes.equals(real.dtypes)
    assert not synthetic.isna().any().any()
    for column in columns:
        if real[column].dtype.kind == "f":
            low, high = real[column].min(), real[column].max()
            assert synthetic[column].between(low, high).mean() > 0.9
            assert synthetic[column].nunique() > 50  # not a few copied values
        else:
            assert set(synthetic[column]) <= set(real[column])


def test_diffusion_conditions_hold_on_a_wide_table():
    # 20 noise columns beside a class c that sets x; conditioned on c, the
    # denoiser holds c at its value through every step, so x follows it
    # (a network that learned little from its condition input put x at its
    # marginal median, 3, before the cells were set)
    rng = np.random.default_rng(2)
    real = skewed_integers(20, 1_000)
    real["c"] = rng.integers(0, 3, 1_000)
    real["x"] = 3.0 * real["c"] + rng.normal(0, 0.3, 1_000)
    model = SMALL["diffusion"]().fit(real)
    for value in (0, 2):
        synthetic = model.sample(500, conditions={"c": value})
        assert (synthetic["c"] == value).all()
        assert abs(synthetic["x"].median() - 3.0 * value) < 0.5
