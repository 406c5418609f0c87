"""Sphinx configuration of the skl_synth documentation.

Build with ``make docs`` (``sphinx-build -W --keep-going -b html docs
docs/_build/html``): numpydoc renders the docstrings, autosummary writes one
page per public name (from each public module's ``__all__``), sphinx-gallery
runs the scripts in ``examples/`` and myst-parser reads the Markdown tables of
``benchmarks/README.md``. Nothing is fetched from the network (no intersphinx).
"""

import warnings

import torch

import skl_synth

# The gallery's tiny networks train faster on one thread, and the build shares
# CI's two cores with nothing else (see tests/conftest.py).
torch.set_num_threads(1)
warnings.filterwarnings(
    "ignore", message="Matplotlib is currently using agg", category=UserWarning
)

project = "skl_synth"
author = "the skl_synth developers"
copyright = "the skl_synth developers, BSD-3-Clause"
release = skl_synth.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
# README.md describes the docs for their maintainers; benchmarks/*.md are
# fragments included by benchmarks.md.
exclude_patterns = ["_build", "README.md", "benchmarks/*", "_scripts"]
templates_path = ["_templates"]

# -- API reference -----------------------------------------------------------
autosummary_generate = True
autosummary_ignore_module_all = False  # each module's __all__ is its API
autodoc_default_options = {"members": True}
autodoc_typehints = "none"  # the numpydoc sections say the types
numpydoc_show_class_members = False  # autoclass :members: documents them
numpydoc_validation_checks = set()  # tests/test_docstrings.py validates them

# -- gallery -----------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/plot_",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "show_memory": False,
    "min_reported_time": 1,
    "write_computation_times": False,  # its page loads scripts from CDNs
    # "Examples using X" at the end of each API page
    "doc_module": ("skl_synth",),
    "backreferences_dir": "generated/backreferences",
    "reference_url": {"skl_synth": None},
}

# -- Markdown ----------------------------------------------------------------
myst_heading_anchors = 3

# -- HTML --------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skl_synth {release}"
html_static_path = ["_static"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_prev_next": False,
    "secondary_sidebar_items": ["page-toc"],
}
html_show_sourcelink = False
