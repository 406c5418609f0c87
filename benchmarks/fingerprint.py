"""Hashes of deterministic samples, to show that a refactoring changed no output.

Fits ten estimators on student_placements with ``random_state=0`` (the
copula, GAN, VAE and diffusion model with a few epochs, four ensembles, and
``CopulaOverSampler`` / ``VAEOverSampler`` on ``gender``) on one torch thread,
and prints one MD5 per estimator of 200 sampled rows plus 50 rows conditioned
on ``gender="F"`` and 4 conditioned row by row (of the ``fit_resample``
output for the samplers).

Run it on two trees and compare::

    python benchmarks/fingerprint.py > after.txt
    git archive <old commit> skl_synth | tar -x -C /tmp/old
    python benchmarks/fingerprint.py --tree /tmp/old > before.txt
    diff before.txt after.txt

Hashes depend on the machine (thread count, CPU kernels): compare runs made
on the same one. About 20 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import hashlib
import sys


def digest(frame) -> str:
    import pandas as pd

    hashes = pd.util.hash_pandas_object(frame).to_numpy()
    return hashlib.md5(hashes.tobytes()).hexdigest()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", help="a folder holding the skl_synth to import")
    args = parser.parse_args(argv)
    if args.tree:
        sys.path.insert(0, args.tree)
    import pandas as pd
    import torch

    import skl_synth
    from skl_synth.datasets import load_student_placements
    from skl_synth.ensemble import EnsembleSynthesizer
    from skl_synth.over_sampling import CopulaOverSampler, VAEOverSampler
    from skl_synth.synthesizers import (
        DiffusionSynthesizer,
        GANSynthesizer,
        GaussianCopulaSynthesizer,
        VAESynthesizer,
    )

    print(f"# skl_synth {skl_synth.__version__} from {skl_synth.__file__}")
    torch.set_num_threads(1)
    X = load_student_placements()
    members = [("c", GaussianCopulaSynthesizer()), ("v", VAESynthesizer(epochs=2))]
    synthesizers = [
        GaussianCopulaSynthesizer(random_state=0),
        GANSynthesizer(epochs=3, random_state=0),
        VAESynthesizer(epochs=3, random_state=0),
        DiffusionSynthesizer(epochs=3, random_state=0),
        EnsembleSynthesizer(members, random_state=0),
        EnsembleSynthesizer(
            members, partition="cluster", n_partitions=2, refit=True, random_state=0
        ),
        EnsembleSynthesizer(
            members, partition="column", partition_column="placed", random_state=0
        ),
        EnsembleSynthesizer(
            members,
            partition="kfold",
            n_partitions=2,
            weighting="size",
            random_state=0,
        ),
    ]
    for model in synthesizers:
        model.fit(X)
        rows = [model.sample(200), model.sample(50, conditions={"gender": "F"})]
        rows.append(model.sample(4, conditions=pd.DataFrame({"gender": list("FMFM")})))
        print(type(model).__name__, digest(pd.concat(rows)))
    X_rest, y = X.drop(columns="gender"), X["gender"]
    samplers = [
        CopulaOverSampler(random_state=0),
        VAEOverSampler(synthesizer=VAESynthesizer(epochs=3), random_state=0),
    ]
    for sampler in samplers:
        X_res, _ = sampler.fit_resample(X_rest, y)
        print(type(sampler).__name__, digest(X_res))


if __name__ == "__main__":
    main()
