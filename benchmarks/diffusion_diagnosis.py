"""Where the diffusion model loses discrete marginals: training or sampling.

What it measures
----------------
Issue 35's diagnosis, on the table of ``benchmarks/width.py``
(``--columns`` independent skewed integer columns, default 20, 3 000
rows). A ``DiffusionSynthesizer(epochs=--epochs)`` (default 60 passes,
without early stopping or the moving average of its weights) is fitted;
then, with the training rows noised to timestep ``t``:

- ``ce_mean`` / ``ce_max``: the denoiser's cross-entropy of each column's
  clean category, averaged over the rows, then over (the largest of) the
  columns; a column on its own cannot do better than its entropy at large
  ``t`` (``entropy``), and should reach 0 as ``t`` goes to 0;
- ``posterior_tvd``: the mean over columns of the total variation distance
  between the real frequencies and the rows' predicted posteriors averaged
  (what one-step denoised rows drawn from the posterior would hold): 0 for
  a calibrated denoiser at every ``t``.

And the sampler: the mean TVD of ``sample`` under the calibrated condition
weights, under the data's own condition frequencies and under the empty
condition only. ``--no-likelihood`` removes the one-hot likelihood term
(:meth:`skl_synth._nn.diffusion.Denoiser.with_likelihood`), the ablation
that shows its part: with cross-entropy alone, noise-free rows keep 0.16
nats per column after 60 passes (issue 35). The model before the fix
(noise prediction on one-hot columns, commit dbdaf54) is measured by
``benchmarks/width.py`` at that commit and in ``benchmarks/README.md``.

How to run
----------
From the repository root::

    python benchmarks/diffusion_diagnosis.py                   # about 30 s
    python benchmarks/diffusion_diagnosis.py --no-likelihood

Prints Markdown tables and writes ``benchmarks/results/diffusion_diagnosis.csv``.
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import pandas as pd
import torch
from _harness import RESULTS, machine_facts, markdown, write_csv
from width import make_table, mean_tvd

from skl_synth._nn.diffusion import Denoiser, cosine_schedule
from skl_synth._nn.layout import OutputLayout
from skl_synth._nn.runtime import sample_encoded
from skl_synth.synthesizers import DiffusionSynthesizer

TIMESTEPS = (0, 100, 300, 500, 700, 900, 999)


def posterior_table(model, real):
    """Per timestep: the columns' cross-entropy and the posterior's marginals."""
    encoder, denoiser = model.encoder_, model.denoiser_
    layout = OutputLayout(encoder.layout_, "cpu")
    rows = torch.as_tensor(encoder.transform(real), dtype=torch.float32)
    clean = denoiser.to_model(rows)
    alpha_bar = cosine_schedule(model.n_timesteps).float()
    generator = torch.Generator().manual_seed(0)
    n_condition = denoiser.condition.in_features if denoiser.condition else 0
    empty = torch.zeros((len(rows), n_condition))
    spans = [s for s in encoder.layout_ if s.kind == "onehot"]
    frequencies = rows.mean(0)
    entropy = -np.mean(
        [
            float((frequencies[s.start : s.stop] * frequencies[s.start : s.stop].log())
                  .nan_to_num().sum())
            for s in spans
        ]
    )  # fmt: skip
    out = []
    for t in TIMESTEPS:
        signal, variance = alpha_bar[t].sqrt(), 1 - alpha_bar[t]
        noise = torch.randn(clean.shape, generator=generator)
        noised = signal * clean + variance.sqrt() * noise
        with torch.no_grad():
            raw = denoiser(noised, torch.full((len(rows),), t), empty)
            logits = denoiser.with_likelihood(raw, noised, signal, variance)
            posterior = layout.span_softmax(logits, per_span=True)
        picked = (posterior.clamp_min(1e-12).log() * rows) @ layout.membership
        cross_entropy = -picked.mean(0) + 0.0  # one value per column (no -0.0)
        tvd = (posterior.mean(0) - frequencies).abs() @ layout.membership / 2
        out.append(
            {
                "t": t,
                "alpha_bar": float(alpha_bar[t]),
                "entropy": entropy,
                "ce_mean": float(cross_entropy.mean()),
                "ce_max": float(cross_entropy.max()),
                "posterior_tvd": float(tvd.mean()),
            }
        )
    return pd.DataFrame(out)


def sampler_table(model, real, n_rows):
    """Mean TVD of generated rows under three choices of condition weights."""
    _, space, columns = model._condition_space("cpu")
    encoder = model.encoder_

    def generate(weights, guide=None):
        encoded = sample_encoded(
            model._generate,
            space,
            columns,
            encoder.layout_,
            weights,
            np.full(n_rows, -1) if guide is None else guide,
            chunk=4096,
            seed=1,
            device="cpu",
        )
        return encoder.inverse_transform(encoded)

    empty = np.zeros(space.dim + 1)
    empty[-1] = 1.0  # all weight on the empty condition (the last)
    choices = {
        "calibrated weights": model.condition_weights_,
        "data frequencies": None,
        "empty condition only": empty,
    }
    return pd.DataFrame(
        [
            {"conditions": k, "tvd": mean_tvd(real, generate(w))}
            for k, w in choices.items()
        ]
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--rows", type=int, default=3_000)
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--no-likelihood", action="store_true")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    if args.no_likelihood:
        Denoiser.with_likelihood = lambda self, out, *rest: out
    print("\n".join(machine_facts()))
    real = make_table("discrete", args.columns, args.rows, 0)
    # the model of the diagnosis (README), before the moving average and the
    # early stopping that came after it: all --epochs passes, the last weights
    model = DiffusionSynthesizer(
        epochs=args.epochs, early_stopping=False, ema_decay=0.0, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(real)
    label = "without" if args.no_likelihood else "with"
    print(f"\n{args.columns} columns, {args.epochs} passes, {label} the likelihood\n")
    posterior = posterior_table(model, real)
    print(markdown(posterior.set_index("t").round(3)))
    sampler = sampler_table(model, real, args.rows)
    print()
    print(markdown(sampler.set_index("conditions").round(3)))
    frame = pd.concat(
        [posterior.assign(part="posterior"), sampler.assign(part="sampler")]
    )
    name = f"diffusion_diagnosis{'_no_likelihood' if args.no_likelihood else ''}.csv"
    print(f"\nwritten to {write_csv(frame.assign(likelihood=label), RESULTS / name)}")


if __name__ == "__main__":
    main()
