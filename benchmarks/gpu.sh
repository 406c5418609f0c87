#!/usr/bin/env bash
# The GPU checks of issue 21, for a machine with CUDA, in under 8 minutes:
#   1. the CUDA tests: every neural synthesizer fits, samples, saves and loads
#      with device="cuda" and is deterministic there (tests/test_cuda.py, and
#      the CUDA test of the persistence suite);
#   2. epoch times on both speed tables on the CPU (2 threads) and the GPU
#      (batch 500 and 4 000), their ratio and the scores
#      (benchmarks/gpu_epochs.py).
# Run from the repository root, with the package installed (make install-dev):
#   bash benchmarks/gpu.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv || true
"$PYTHON" -c "import torch; assert torch.cuda.is_available(), 'no CUDA device'; print(torch.__version__, torch.cuda.get_device_name(0))"
timeout 240 "$PYTHON" -m pytest -q -p no:cacheprovider tests/test_cuda.py \
    "tests/test_persistence.py::test_cuda_fitted_model_saves_from_the_cpu"
timeout 240 "$PYTHON" benchmarks/gpu_epochs.py "$@"
