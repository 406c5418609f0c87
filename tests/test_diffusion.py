"""DiffusionSynthesizer: schedule, sampling steps, conditions, composition.

The contract every synthesizer meets (dtypes, determinism, conditions,
persistence, bad input) is checked in test_common.py, test_persistence.py
and test_synthesizers.py; this file tests what is particular to diffusion.
"""

import numpy as np
import pandas as pd
import pytest
import torch
from imblearn.pipeline import make_pipeline
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from skl_synth._nn.diffusion import cosine_schedule, sampling_timesteps
from skl_synth.ensemble import EnsembleSynthesizer
from skl_synth.over_sampling import DiffusionOverSampler
from skl_synth.synthesizers import DiffusionSynthesizer, GaussianCopulaSynthesizer

TINY = dict(
    epochs=2,
    batch_size=20,
    hidden_dims=(16,),
    dim_t=8,
    n_timesteps=50,
    sampling_steps=5,
    random_state=0,
)


def test_cosine_schedule():
    alpha_bar = cosine_schedule(1000)
    assert alpha_bar.shape == (1000,) and alpha_bar.dtype == torch.float64
    assert (alpha_bar.diff() < 0).all()  # signal only decreases
    assert alpha_bar[0] > 0.9999 and alpha_bar[-1] < 1e-3


@pytest.mark.parametrize(("n_timesteps", "n_steps"), [(1000, 50), (10, 10), (7, 1)])
def test_sampling_timesteps(n_timesteps, n_steps):
    times = sampling_timesteps(n_timesteps, n_steps)
    assert len(times) == n_steps and len(set(times.tolist())) == n_steps
    assert times[0] == n_timesteps - 1  # from pure noise
    assert (times.diff() < 0).all()
    if n_steps > 1:
        assert times[-1] == 0  # to the clean row


@pytest.mark.parametrize("steps", [0, 51])
def test_sampling_steps_out_of_range(placements, steps):
    message = rf"sampling_steps={steps} must be in \[1, n_timesteps=50\]"
    with pytest.raises(ValueError, match=message):
        DiffusionSynthesizer(**{**TINY, "sampling_steps": steps}).fit(placements)
    model = DiffusionSynthesizer(**TINY).fit(placements)
    model.set_params(sampling_steps=steps)
    with pytest.raises(ValueError, match=message):
        model.sample(5)


def test_sampling_cost_follows_sampling_steps(placements):
    model = DiffusionSynthesizer(**TINY).fit(placements)
    calls = []
    hook = model.denoiser_.head.register_forward_hook(lambda *args: calls.append(1))
    for steps in (3, 12):
        calls.clear()
        model.set_params(sampling_steps=steps)
        first = model.sample(40)
        assert len(calls) == steps  # one denoiser pass per step (one chunk)
        pd.testing.assert_frame_equal(first, model.sample(40))  # seeded
    hook.remove()


def test_eta_zero_is_deterministic_given_the_noise(placements):
    model = DiffusionSynthesizer(**TINY, eta=0.0).fit(placements)
    stochastic = DiffusionSynthesizer(**TINY, eta=1.0).fit(placements)
    # same weights (eta is only used when sampling), other sampling noise
    assert torch.equal(
        next(model.denoiser_.parameters()), next(stochastic.denoiser_.parameters())
    )
    assert not model.sample(30).equals(stochastic.sample(30))


def test_denoiser_scaling_puts_columns_on_a_unit_scale(placements):
    # fitted on the rows it trains on: all of them without early stopping
    model = DiffusionSynthesizer(**TINY, early_stopping=False).fit(placements)
    encoded = torch.as_tensor(model.encoder_.transform(placements))
    scaled = model.denoiser_.to_model(encoded)
    scalar = torch.tensor([s.kind == "scalar" for s in model.encoder_.layout_])
    widths = torch.tensor([s.width for s in model.encoder_.layout_])
    scalar_columns = torch.repeat_interleave(scalar, widths)
    std = scaled[:, scalar_columns].std(0)
    torch.testing.assert_close(std, torch.ones_like(std), atol=0.02, rtol=0)
    assert set(scaled[:, ~scalar_columns].unique().tolist()) == {-1.0, 1.0}


def test_conditions_are_exact_and_shift_the_other_columns(placements):
    model = DiffusionSynthesizer(
        epochs=150, batch_size=50, sampling_steps=20, random_state=0
    ).fit(placements)
    placed = model.sample(300, conditions={"placed": True})
    unplaced = model.sample(300, conditions={"placed": False})
    assert placed["placed"].all() and not unplaced["placed"].any()
    # salary is missing exactly when a student is not placed
    assert placed["salary"].isna().mean() < 0.3 < unplaced["salary"].isna().mean()


def test_ensemble_member_and_over_sampler(placements):
    ensemble = EnsembleSynthesizer(
        [
            ("diffusion", DiffusionSynthesizer(**TINY)),
            ("copula", GaussianCopulaSynthesizer()),
        ],
        partition="bootstrap",
        n_partitions=2,
        weighting="size",
        random_state=0,
    ).fit(placements)
    names = [name for name, _ in ensemble.members_]
    assert names == ["diffusion_0", "diffusion_1", "copula_0", "copula_1"]
    assert ensemble.sample(50).shape == (50, placements.shape[1])

    numeric = placements[["second_perc", "high_perc", "degree_perc"]]
    y = placements["placed"]
    pipe = make_pipeline(
        DiffusionOverSampler(random_state=0).set_params(synthesizer__epochs=2),
        LogisticRegression(max_iter=200),
    )
    search = GridSearchCV(
        pipe, {"diffusionoversampler__sampling_strategy": [0.8, 1.0]}, cv=2
    ).fit(numeric, y)
    sampler = search.best_estimator_[0]
    counts = np.bincount(sampler.fit_resample(numeric, y)[1])
    assert counts[0] == round(sampler.sampling_strategy * counts[1])


def test_guidance_scale_sharpens_the_condition():
    # two blobs told apart by the class column only through the features
    rng = np.random.RandomState(0)
    n_major, n_minor = 400, 40
    table = pd.DataFrame(
        {
            "a": np.r_[rng.normal(0, 1, n_major), rng.normal(2.5, 0.5, n_minor)],
            "b": np.r_[rng.normal(0, 1, n_major), rng.normal(2.5, 0.5, n_minor)],
            "c": pd.Categorical(np.r_[["no"] * n_major, ["yes"] * n_minor]),
        }
    )
    model = DiffusionSynthesizer(
        epochs=60, batch_size=100, hidden_dims=(64, 64), sampling_steps=20,
        random_state=0,
    ).fit(table)  # fmt: skip
    share = {}
    for scale in [1.0, 3.0]:
        model.set_params(guidance_scale=scale)
        rows = model.sample(1000, conditions={"c": "yes"})
        assert (rows["c"] == "yes").all()
        share[scale] = ((rows["a"] > 1.25) & (rows["b"] > 1.25)).mean()
    assert share[3.0] > share[1.0] + 0.1, share


def test_guidance_scale_needs_unconditioned_training(placements):
    model = DiffusionSynthesizer(**{**TINY, "unconditional_fraction": 0.0})
    with pytest.raises(ValueError, match="unconditional_fraction > 0"):
        model.set_params(guidance_scale=2.0).fit(placements)
    with pytest.raises(ValueError, match="guidance_scale"):
        DiffusionSynthesizer(**TINY, guidance_scale=-1.0).fit(placements)
