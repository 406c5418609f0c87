"""What a neural synthesizer runs on torch: devices, seeds, weights and sampling.

:class:`skl_synth.synthesizers._deep.DeepSynthesizer` holds numpy arrays and
encoded layouts; these functions turn them into tensors on a device, run
the networks chunk by chunk and give numpy arrays back, so that no module
above :mod:`skl_synth._nn` imports torch.
"""

from __future__ import annotations

import numpy as np
import torch

from .conditions import (
    ConditionSpace,
    calibrated_weights,
    condition_confusion,
    prior_weights,
)
from .layout import OutputLayout, span_columns

DEVICE_TYPES = (str, torch.device)
"""What the synthesizers' ``device`` parameter accepts."""


_SAMPLE_CHUNK = 8192  # rows generated per forward pass when sampling (at most)
# Hard one-hot outputs pad every one-hot span to the widest one: a chunk
# holds at most this many padded values (fewer rows for very wide columns).
_SAMPLE_PADDED_VALUES = 2**23


def resolve_device(device):
    """``"auto"`` -> CUDA when available, else CPU; check that CUDA exists."""
    if isinstance(device, str) and device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as error:
        raise ValueError(
            f"device={device!r} is not a torch device; use 'auto', 'cpu' or 'cuda'."
        ) from error
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} but CUDA is not available here; use device='auto' "
            "or 'cpu'."
        )
    return str(resolved)


def move_to_usable_device(device, modules):
    """``device``, or the CPU where it is unavailable; the modules move there."""
    device = torch.device(device)
    if device.type == "cuda" and not torch.cuda.is_available():
        device = torch.device("cpu")
    for module in modules:
        module.to(device)
    return device


def seeded_generator(seed, device="cpu"):
    """A ``torch.Generator`` on ``device`` seeded with ``seed``."""
    return torch.Generator(device=device).manual_seed(int(seed))


def to_tensor(array, device):
    """A numpy array as a tensor on ``device`` (no copy on the CPU)."""
    return torch.as_tensor(array, device=device)


def snapshot(modules):
    """Copies of the modules' weights, by name, for :func:`restore`."""
    return {
        name: {k: v.detach().clone() for k, v in module.state_dict().items()}
        for name, module in modules.items()
    }


def restore(modules, state):
    """Load weights taken by :func:`snapshot` back into the modules."""
    for name, module in modules.items():
        module.load_state_dict(state[name])


def condition_space(spans, counts, device):
    """The :class:`ConditionSpace` of condition spans with training ``counts``
    (one array per span), and the spans' encoded columns, on ``device``."""
    counts = torch.as_tensor(np.concatenate(counts) if counts else [], device=device)
    space = ConditionSpace([s.width for s in spans], counts)
    return space, span_columns(spans, device)


def calibrate_conditions(
    generate,
    spans,
    space,
    columns,
    layout_spans,
    *,
    trains_unconditioned,
    calibration_rows,
    min_rows,
    chunk,
    seed,
    device,
):
    """Condition weights under which generated marginals match the data.

    ``generate(condition, rng, layout)`` returns encoded rows; each
    condition gets ``calibration_rows(n_rows)`` rows in all, shared by its
    expected weight, at least ``min_rows``. See
    :meth:`skl_synth.synthesizers._deep.DeepSynthesizer._calibrate_conditions`.
    """
    rng = seeded_generator(seed, device)
    layout = OutputLayout(layout_spans, device)
    n_rows = float(space.counts[: spans[0].width].sum())
    target = space.counts.double() / n_rows
    prior = prior_weights(target, len(spans), trains_unconditioned)
    per_condition = (prior * calibration_rows(n_rows)).round().long()
    confusion = condition_confusion(
        lambda condition: space.enforce(
            generate(condition, rng, layout), condition, columns
        ),
        space,
        columns,
        per_condition.clamp_min(min_rows),
        chunk,
    )
    weights = calibrated_weights(confusion, target, len(spans))
    return weights.cpu().numpy()


def sample_encoded(
    generate, space, columns, layout_spans, weights, guide, *, chunk, seed, device
):
    """``len(guide)`` encoded rows, generated chunk by chunk, as float32 numpy.

    Free rows (``guide`` -1) draw their condition from ``weights`` (the
    calibrated ones) or, without, from the data's own frequencies; the others
    get the condition of flat index ``guide``.
    """
    rng = seeded_generator(seed, device)
    layout = OutputLayout(layout_spans, device)
    if weights is not None:
        cdf = _cdf(weights, device)
    n_samples = len(guide)
    # chunk by chunk, conditions included: drawing n_samples conditions at
    # once takes n_samples x (widest span) doubles
    out = np.empty((n_samples, layout.width), dtype=np.float32)
    for start in range(0, n_samples, chunk):
        stop = min(start + chunk, n_samples)
        if weights is None:
            condition = space.sample_original(stop - start, rng)
        else:
            condition = space.sample_weighted(stop - start, cdf, rng)
        part = guide[start:stop]
        guided = np.flatnonzero(part >= 0)
        if len(guided):
            flat = torch.as_tensor(part[guided], device=device)
            condition[torch.as_tensor(guided, device=device)] = space.vectors(flat)
        rows = generate(condition, rng, layout)
        out[start:stop] = space.enforce(rows, condition, columns).cpu().numpy()
    return out


def _cdf(weights, device):
    """The cumulative sums of probabilities ``weights``, ending at exactly 1."""
    cdf = torch.as_tensor(np.cumsum(weights), device=device)
    cdf[-1] = 1.0
    return cdf


def sample_chunk(layout):
    """Rows per forward pass: :data:`_SAMPLE_CHUNK`, fewer for wide one-hots."""
    widths = [span.width for span in layout if span.kind == "onehot"]
    padded = len(widths) * max(widths, default=1)
    return int(np.clip(_SAMPLE_PADDED_VALUES // max(padded, 1), 256, _SAMPLE_CHUNK))
