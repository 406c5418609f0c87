"""numpydoc validation of every public docstring."""

import importlib
import inspect

import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate")

PUBLIC_MODULES = [
    "skl_synth",
    "skl_synth.preprocessing",
    "skl_synth.datasets",
    "skl_synth.metrics",
    "skl_synth.report",
    "skl_synth.synthesizers",
    "skl_synth.ensemble",
    "skl_synth.over_sampling",
    "skl_synth.persistence",
    "skl_synth.utils.estimator_checks",
    "skl_synth.cli",
]

# As in scikit-learn: returns are named ("self : object"), an extended summary
# and a See Also section are welcome but not required.
IGNORED = {"ES01", "SA01", "RT02"}
# Methods are shown by their class's example.
IGNORED_FOR_METHODS = IGNORED | {"EX01"}


def public_objects():
    seen = set()
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            qualified = f"{obj.__module__}.{obj.__qualname__}"
            if qualified in seen:
                continue
            seen.add(qualified)
            yield qualified, IGNORED
            if inspect.isclass(obj):
                for method, value in vars(obj).items():
                    if method.startswith("_") or not callable(value):
                        continue
                    yield f"{qualified}.{method}", IGNORED_FOR_METHODS


@pytest.mark.parametrize(
    ("name", "ignored"),
    list(public_objects()),
    ids=lambda x: x if isinstance(x, str) else "",
)
def test_docstring(name, ignored):
    result = numpydoc_validate.validate(name)
    errors = [
        f"{code}: {message}"
        for code, message in result["errors"]
        if code not in ignored
    ]
    assert not errors, "\n".join([name, *errors])
