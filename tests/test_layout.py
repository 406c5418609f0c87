"""The package's layout: downward imports without cycles, torch in _nn, short code.

The layers are those of docs/architecture.rst; a new module goes in one of
them, and a new subpackage needs a line here and there.
"""

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "skl_synth"

# Bottom first: a module may import its own stage and those below it.
LAYERS = [
    ["skl_synth.utils", "skl_synth.utils._random", "skl_synth.utils._docstrings"],
    ["skl_synth.utils._state"],
    ["skl_synth.preprocessing", "skl_synth._nn", "skl_synth.datasets"],
    ["skl_synth.metrics"],
    ["skl_synth.synthesizers"],
    ["skl_synth.ensemble"],
    ["skl_synth.over_sampling"],
    ["skl_synth.persistence", "skl_synth.report"],
    ["skl_synth.cli", "skl_synth.__main__"],
    # what checks or tests the estimators imports what it checks
    ["skl_synth.utils.estimator_checks", "skl_synth.utils._testing"],
]
# Modules over MAX_LINES, each one class's flow that splitting would scatter
# (issue 33: the ensemble's fit and sample had been cut into four mixins that
# handed state to each other), with the reason; none may pass HARD_MAX_LINES.
LONG_MODULES = {
    "skl_synth.ensemble._ensemble": "EnsembleSynthesizer's fit and sample, "
    "top to bottom, and its 250-line docstring",
    "skl_synth.preprocessing._encoder": "TabularEncoder: fit, transform, "
    "inverse_transform and the documented methods synthesizers call",
}
MAX_LINES = 500
HARD_MAX_LINES = 1_000
# Lines of a function's body, its docstring aside.
MAX_FUNCTION_LINES = 80


def module_name(path):
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(name):
    """The layer of the longest stage that ``name`` is or lies in."""
    matches = [
        (len(stage), level)
        for level, stages in enumerate(LAYERS)
        for stage in stages
        if name == stage or name.startswith(stage + ".")
    ]
    assert matches, f"{name} belongs to no layer of tests/test_layout.py"
    return max(matches)[1]


def imports(path):
    """(imported module, line) for every skl_synth or torch import, lazy ones too."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module
            if node.module:
                yield target, node.lineno
            else:  # "from . import x": x may be a submodule
                for alias in node.names:
                    yield f"{target}.{alias.name}", node.lineno


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_imports_run_downward(path):
    name = module_name(path)
    if name == "skl_synth":
        return
    level = layer_of(name)
    upward = [
        f"line {line}: {target} (layer {layer_of(target)} > {level})"
        for target, line in imports(path)
        if target.startswith("skl_synth.")
        and target != "skl_synth.__version__"
        and layer_of(target) > level
    ]
    assert not upward, f"{name} imports upward:\n" + "\n".join(upward)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_torch_is_imported_by_nn_only(path):
    name = module_name(path)
    if name.startswith("skl_synth._nn"):
        return
    direct = [
        f"line {line}: {target}"
        for target, line in imports(path)
        if target == "torch" or target.startswith(("torch.", "safetensors"))
    ]
    assert not direct, f"{name} imports torch directly:\n" + "\n".join(direct)


def test_modules_are_short():
    lengths = {
        module_name(path): len(path.read_text().splitlines())
        for path in [*MODULES, *sorted((ROOT / "benchmarks").glob("*.py"))]
    }
    long = {name for name, n in lengths.items() if n > MAX_LINES}
    assert long <= set(LONG_MODULES), (
        f"modules over {MAX_LINES} lines, not in LONG_MODULES: "
        f"{ {k: lengths[k] for k in long - set(LONG_MODULES)} }"
    )
    assert long >= set(LONG_MODULES), f"short again: {set(LONG_MODULES) - long}"
    too_long = {k: n for k, n in lengths.items() if n > HARD_MAX_LINES}
    assert not too_long, f"modules over {HARD_MAX_LINES} lines: {too_long}"


def test_functions_are_short():
    long = []
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                body = node.body[1:] if ast.get_docstring(node) else node.body
                if body:
                    n = body[-1].end_lineno - body[0].lineno + 1
                    if n > MAX_FUNCTION_LINES:
                        long.append(f"{module_name(path)}.{node.name}: {n} lines")
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines:\n" + "\n".join(long)


def module_graph():
    """Module -> the skl_synth modules it imports (packages for packages)."""
    names = {module_name(path) for path in MODULES}
    graph = {}
    for path in MODULES:
        targets = set()
        for target, _ in imports(path):
            while target not in names and "." in target:
                target = target.rpartition(".")[0]  # a name imported from it
            if target in names and target != "skl_synth":
                targets.add(target)
        graph[module_name(path)] = targets
    return graph


def test_no_import_cycles_between_modules():
    # lazy imports count: a cycle through one is still two modules that
    # cannot be read (or moved) one without the other
    graph = module_graph()
    cycles = []
    for start in sorted(graph):
        for target in sorted(graph[start] - {start}):
            if start in reachable(graph, target, {target}):
                cycles.append(f"{start} -> {target} -> ... -> {start}")
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_no_private_names_from_another_subpackage(path):
    # a private name of a private module belongs to its subpackage; what
    # others need is public there, or lives in utils
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.ImportFrom) or not node.module:
            continue
        if node.level:
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            target = ".".join([*base, node.module])
        else:
            target = node.module
        private = target.rpartition(".")[2].startswith("_")
        if not target.startswith("skl_synth.") or not private:
            continue
        if stage(target) == stage(name) or target.startswith("skl_synth.utils."):
            continue
        found += [
            f"line {node.lineno}: {alias.name} from {target}"
            for alias in node.names
            if alias.name.startswith("_")
        ]
    assert not found, f"{name} imports private names:\n" + "\n".join(found)


def test_no_import_cycles_between_stages():
    edges = {}
    for path in MODULES:
        source = module_name(path)
        for target, _ in imports(path):
            if target.startswith("skl_synth.") and target != "skl_synth.__version__":
                edges.setdefault(stage(source), set()).add(stage(target))
    for start, targets in edges.items():
        for target in targets - {start}:
            assert start not in reachable(edges, target, {start}), (start, target)


def stage(name):
    parts = [*name.split("."), ""]
    return ".".join(parts[:3] if parts[1] == "utils" else parts[:2])


def reachable(edges, node, seen):
    found = set()
    for nxt in edges.get(node, ()):
        if nxt not in seen | found:
            found |= {nxt} | reachable(edges, nxt, seen | found | {nxt})
    return found


@pytest.mark.parametrize(
    "path",
    sorted(p for p in PACKAGE.rglob("__init__.py") if p.parent != PACKAGE),
    ids=lambda p: module_name(p),
)
def test_each_stage_opens_with_a_short_docstring(path):
    docstring = ast.get_docstring(ast.parse(path.read_text()))
    assert docstring, f"{module_name(path)} has no docstring"
    lines = [line for line in docstring.splitlines() if line.strip()]
    assert 1 <= len(lines) <= 3, f"{module_name(path)}: {len(lines)} lines"


# The public names of each public module, as they were before the layout
# change (issue 20): moving code between private modules must not change them.
PUBLIC_API = {
    "skl_synth": ["TabularEncoder", "__version__", "load", "save"],
    "skl_synth.preprocessing": ["Span", "TabularEncoder"],
    "skl_synth.synthesizers": [
        "BaseSynthesizer",
        "DiffusionSynthesizer",
        "GANSynthesizer",
        "GaussianCopulaSynthesizer",
        "VAESynthesizer",
    ],
    "skl_synth.ensemble": ["EnsembleSynthesizer"],
    "skl_synth.over_sampling": [
        "CopulaOverSampler",
        "DiffusionOverSampler",
        "EnsembleOverSampler",
        "GANOverSampler",
        "GenerativeAugmenter",
        "GenerativeOverSampler",
        "VAEOverSampler",
    ],
    "skl_synth.metrics": [
        "SYNTHESIS_SCORERS",
        "detection_auc",
        "early_stopping_score",
        "evaluate",
        "make_synthesis_scorer",
        "metadata_from_schema",
        "synthesis_score",
    ],
    "skl_synth.report": ["make_report"],
    "skl_synth.persistence": ["load", "save"],
    "skl_synth.cli": ["main"],
    "skl_synth.datasets": ["load_student_placements"],
    "skl_synth.utils.estimator_checks": [
        "check_synthesizer",
        "check_synthesizer_clone",
        "check_synthesizer_conditions",
        "check_synthesizer_determinism",
        "check_synthesizer_global_random_state",
        "check_synthesizer_n_samples",
        "check_synthesizer_not_fitted",
        "check_synthesizer_pickle",
        "check_synthesizer_sample_dataframe",
        "check_synthesizer_sample_ndarray",
        "check_synthesizer_score_columns",
        "parametrize_with_synthesizer_checks",
        "synthesizer_checks",
    ],
}


@pytest.mark.parametrize("name", PUBLIC_API)
def test_public_names_stay(name):
    module = importlib.import_module(name)
    assert sorted(module.__all__) == PUBLIC_API[name]
    assert all(hasattr(module, attribute) for attribute in module.__all__)


@pytest.mark.parametrize(
    "old",
    [
        "skl_synth._schema",
        "skl_synth._codecs",
        "skl_synth._mixture",
        "skl_synth._evaluation",
        "skl_synth._partitions",
        "skl_synth._resampling",
        "skl_synth._interpolation",
        "skl_synth._serialization",
        "skl_synth._deserialization",
        "skl_synth._cli_commands",
    ],
)
def test_moved_private_modules_are_gone(old):
    # the changelog says where each went; no alias keeps the old path alive
    with pytest.raises(ModuleNotFoundError, match=old.replace(".", r"\.")):
        importlib.import_module(old)
    assert old in (ROOT / "docs" / "changelog.rst").read_text()
