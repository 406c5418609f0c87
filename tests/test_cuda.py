"""Every neural synthesizer on a GPU: fit, sample, save, load, determinism.

Skipped without CUDA; ``benchmarks/gpu.sh`` runs these where a GPU is lent.
"""

import pytest
import torch
from pandas.testing import assert_frame_equal

from skl_synth import load, save
from skl_synth.ensemble import EnsembleSynthesizer
from skl_synth.synthesizers import (
    DiffusionSynthesizer,
    GANSynthesizer,
    GaussianCopulaSynthesizer,
    VAESynthesizer,
)
from skl_synth.utils._testing import tiny_synthesizer

pytestmark = pytest.mark.skipif(
    not torch.cuda.is_available(), reason="needs a CUDA device"
)

DEEP = [GANSynthesizer, VAESynthesizer, DiffusionSynthesizer]


@pytest.mark.parametrize("cls", DEEP, ids=lambda c: c.__name__)
def test_fits_samples_saves_and_loads_on_cuda(cls, placements, tmp_path):
    model = tiny_synthesizer(cls).set_params(device="cuda").fit(placements)
    assert model.device_ == "cuda"
    assert all(
        p.device.type == "cuda"
        for module in model._modules().values()
        for p in module.parameters()
    )
    sample = model.sample(200, conditions={"gender": "F"})
    assert sample.dtypes.equals(placements.dtypes)
    assert (sample["gender"] == "F").all()
    save(model, tmp_path / "model.skl")
    loaded = load(tmp_path / "model.skl")
    assert_frame_equal(loaded.sample(100), model.sample(100))


@pytest.mark.parametrize("cls", DEEP, ids=lambda c: c.__name__)
def test_deterministic_on_cuda(cls, placements):
    first = tiny_synthesizer(cls).set_params(device="cuda").fit(placements)
    second = tiny_synthesizer(cls).set_params(device="cuda").fit(placements)
    assert_frame_equal(first.sample(150), first.sample(150))  # sampling
    assert_frame_equal(first.sample(150), second.sample(150))  # fitting


def test_ensemble_of_cuda_members(placements):
    members = [
        ("copula", GaussianCopulaSynthesizer()),
        ("vae", tiny_synthesizer(VAESynthesizer).set_params(device="cuda")),
    ]
    model = EnsembleSynthesizer(members, weighting="size", random_state=0)
    sample = model.fit(placements).sample(100)
    assert sample.dtypes.equals(placements.dtypes)
