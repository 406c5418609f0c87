"""Numerics of the networks' building blocks: span activations, condition draws."""

import pytest
import torch

from skl_synth._nn.conditions import ConditionSpace
from skl_synth._nn.layout import OutputLayout, _SoftActivation, gumbel_noise
from skl_synth.preprocessing import Span

# a bounded scalar, a 3-slot mode span, an unbounded scalar, a 4-slot category
# span and a 2-slot missing span, in the encoder's interleaved order
SPANS = [
    Span("x", 0, 1, "scalar", "value"),
    Span("x", 1, 3, "onehot", "mode"),
    Span("n", 4, 1, "scalar", "value", bounded=False),
    Span("c", 5, 4, "onehot", "category"),
    Span("m", 9, 2, "onehot", "missing"),
]
ONEHOT = [(1, 4), (5, 9), (9, 11)]


def reference_activation(raw, noise, tau):
    """Span by span with torch's own softmax: what activate must compute."""
    out = torch.empty_like(raw)
    out[:, 0] = torch.tanh(raw[:, 0])
    out[:, 4] = raw[:, 4]
    for start, stop in ONEHOT:
        out[:, start:stop] = ((raw + noise)[:, start:stop] / tau).softmax(1)
    return out


def double_layout():
    layout = OutputLayout(SPANS, torch.device("cpu"))
    for name in ("membership", "bounded_weight", "unbounded_weight", "scalar_weight"):
        setattr(layout, name, getattr(layout, name).double())
    layout.onehot_floor = layout.onehot_floor.double()
    return layout


@pytest.mark.parametrize("offset", [0.0, 200.0])
def test_soft_activation_matches_torch_softmax_and_its_gradient(offset):
    # offset: the category span sits far below the row's largest logit, so
    # its exponentials underflow unless it is shifted by its own maximum
    layout = OutputLayout(SPANS, torch.device("cpu"))
    generator = torch.Generator().manual_seed(0)
    raw = torch.randn((64, 11), generator=generator) * 3
    raw[:, 5:9] -= offset
    noise = gumbel_noise(raw.shape, generator, raw)
    weights = torch.randn((64, 11), generator=generator)
    ours = raw.clone().requires_grad_(True)
    theirs = raw.clone().requires_grad_(True)
    out = layout.activate(ours, generator=torch.Generator().manual_seed(1))
    # the same noise, drawn from a generator in the same state
    expected = reference_activation(
        theirs, gumbel_noise(raw.shape, torch.Generator().manual_seed(1), raw), 0.2
    )
    torch.testing.assert_close(out, expected, atol=2e-6, rtol=1e-5)
    (out * weights).sum().backward()
    (expected * weights).sum().backward()
    torch.testing.assert_close(ours.grad, theirs.grad, atol=1e-4, rtol=1e-4)
    for start, stop in ONEHOT:
        torch.testing.assert_close(out[:, start:stop].sum(1), torch.ones(64))
    assert noise.shape == raw.shape


def test_soft_activation_passes_gradcheck():
    # its backward pass is written by hand: check it against finite differences
    layout = double_layout()
    generator = torch.Generator().manual_seed(0)
    raw = torch.randn((5, 11), generator=generator, dtype=torch.float64)
    noise = gumbel_noise(raw.shape, generator, raw)
    assert torch.autograd.gradcheck(
        lambda x: _SoftActivation.apply(x, noise, layout, 0.2),
        (raw.clone().requires_grad_(True),),
    )
    assert torch.autograd.gradcheck(  # a plain softmax, no noise
        lambda x: layout.activate(x, tau=0.5), (raw.clone().requires_grad_(True),)
    )


@pytest.mark.parametrize("offset", [0.0, 200.0])
def test_span_log_sum_exp_matches_torch(offset):
    layout = OutputLayout(SPANS, torch.device("cpu"))
    raw = torch.randn((32, 11), generator=torch.Generator().manual_seed(0)) * 3
    raw[:, 1:4] += offset  # now the other spans are far below the row maximum
    expected = torch.stack([raw[:, a:b].logsumexp(1) for a, b in ONEHOT], 1)
    torch.testing.assert_close(layout._span_log_sum_exp(raw), expected)


def test_hard_activation_is_one_hot_per_span():
    layout = OutputLayout(SPANS, torch.device("cpu"))
    raw = torch.randn((50, 11), generator=torch.Generator().manual_seed(0))
    out = layout.activate(raw, generator=torch.Generator().manual_seed(1), hard=True)
    for start, stop in ONEHOT:
        block = out[:, start:stop]
        assert ((block == 0) | (block == 1)).all()
        assert (block.sum(1) == 1).all()
    torch.testing.assert_close(out[:, 0], torch.tanh(raw[:, 0]))
    torch.testing.assert_close(out[:, 4], raw[:, 4])


def test_condition_draws_follow_the_weights_and_skip_empty_categories():
    # spans of 4, 2 and 3 categories; two categories never seen in training
    counts = torch.tensor([10.0, 0.0, 30.0, 60.0, 5.0, 5.0, 1.0, 0.0, 3.0])
    space = ConditionSpace([4, 2, 3], counts)
    span, category = space._draw(60_000, space.data_cdf, torch.Generator())
    assert span.bincount(minlength=3).min() > 19_000  # spans uniformly
    expected = [[0.1, 0.0, 0.3, 0.6], [0.5, 0.5], [0.25, 0.0, 0.75]]
    for j, probabilities in enumerate(expected):
        drawn = category[span == j]
        frequency = drawn.bincount(minlength=len(probabilities)) / len(drawn)
        assert len(frequency) == len(probabilities)  # never past the last slot
        torch.testing.assert_close(
            frequency, torch.tensor(probabilities), atol=0.015, rtol=0
        )
    # training-by-sampling draws by log-frequency instead
    span, category = space._draw(60_000, space.training_cdf, torch.Generator())
    drawn = category[span == 0]
    logs = torch.log1p(torch.tensor([10.0, 0.0, 30.0, 60.0]))
    torch.testing.assert_close(
        drawn.bincount(minlength=4) / len(drawn), logs / logs.sum(), atol=0.015, rtol=0
    )


def test_condition_cdf_ends_at_exactly_one():
    # counts 26 and 27: the cumulative sum of the normalized log-frequencies
    # ends at 0.9999999999999999, and a uniform draw above it would pick a
    # third category of two
    counts = torch.tensor([26.0, 27.0])
    space = ConditionSpace([2], counts)
    logs = torch.log1p(counts.double())[None, :]
    assert torch.cumsum(logs / logs.sum(1, keepdim=True), 1)[0, -1].item() < 1.0
    assert space.training_cdf[0, -1].item() == 1.0
    assert space.training_cdf[0, 0].item() < 1.0


@pytest.mark.parametrize("offset", [0.0, 5e4])
def test_denoising_loss_is_noise_mse_plus_span_cross_entropy(offset):
    # offset: logits as large as the diffusion model's likelihood term makes
    # them at its first timestep, in one span only
    layout = OutputLayout(SPANS, torch.device("cpu"))
    generator = torch.Generator().manual_seed(0)
    raw = torch.randn((16, 11), generator=generator) * 3
    raw[:, 5:9] += offset
    noise = torch.randn((16, 11), generator=generator)
    target = torch.zeros((16, 11))
    for start, stop in ONEHOT:
        slot = torch.randint(stop - start, (16,), generator=generator)
        target[torch.arange(16), start + slot] = 1.0
    scalars = [0, 4]
    expected = ((raw[:, scalars] - noise[:, scalars]) ** 2).mean()
    cross_entropy = sum(
        torch.nn.functional.cross_entropy(
            raw[:, a:b].double(), target[:, a:b].argmax(1)
        )
        for a, b in ONEHOT
    )
    expected = expected + cross_entropy.float() / len(ONEHOT)
    loss = layout.denoising_loss(raw, noise, target)
    torch.testing.assert_close(loss, expected, rtol=1e-5, atol=1e-4)
    probs = layout.span_softmax(raw, per_span=True)
    for start, stop in ONEHOT:
        torch.testing.assert_close(
            probs[:, start:stop], raw[:, start:stop].double().softmax(1).float()
        )
    assert (probs[:, scalars] == 0).all()


def test_denoiser_likelihood_gives_the_exact_posterior_of_a_lone_column():
    # one column of 4 categories with known frequencies; a denoiser whose
    # network outputs their logs gets Bayes' posterior at every noise level
    from skl_synth._nn.diffusion import Denoiser

    spans = [Span("c", 0, 4, "onehot", "category")]
    layout = OutputLayout(spans, torch.device("cpu"))
    prior = torch.tensor([0.5, 0.3, 0.15, 0.05])
    denoiser = Denoiser(4, 0, (8,), dim_t=8)
    generator = torch.Generator().manual_seed(0)
    rows = torch.eye(4)[torch.multinomial(prior, 64, True, generator=generator)]
    denoiser.fit_scaling(rows, layout)
    clean = denoiser.to_model(rows)  # 1 on the slot, -1 elsewhere
    assert set(clean.unique().tolist()) == {-1.0, 1.0}
    for signal in (0.05, 0.5, 0.99):
        variance = 1 - signal**2
        x = signal * clean + variance**0.5 * torch.randn(
            clean.shape, generator=generator
        )
        log_prior = prior.log().expand(64, 4)
        logits = denoiser.with_likelihood(log_prior, x, signal, variance)
        # p(slot k | x) is proportional to prior_k * N(x; signal * e_k, variance)
        embeddings = 2 * torch.eye(4) - 1
        log_density = -((x[:, None, :] - signal * embeddings) ** 2).sum(2) / (
            2 * variance
        )
        expected = (prior.log() + log_density).softmax(1)
        torch.testing.assert_close(layout.span_softmax(logits), expected)
