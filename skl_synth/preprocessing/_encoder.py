"""TabularEncoder: a mixed-type table to the float32 matrix networks learn from.

The encoded matrix is a row of blocks, one or more per input column, described
once by :attr:`TabularEncoder.layout_`, a tuple of :class:`Span` records. Every
consumer (output activations, conditional vectors, losses) iterates that tuple.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from numbers import Integral

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, RealNotInt, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ..utils._messages import preview
from ..utils._random import local_random_state
from ..utils._state import persistable
from ._codecs import ColumnCodec
from ._schema import ColumnSchema, infer_schema

__all__ = ["Span", "TabularEncoder"]


@persistable("dataclass")
@dataclass(frozen=True)
class Span:
    """One contiguous block of columns of the encoded matrix.

    Parameters
    ----------
    column : hashable
        The input column the block encodes.
    start : int
        Index of the block's first column in the encoded matrix.
    width : int
        Number of encoded columns in the block.
    kind : {"scalar", "onehot"}
        ``"scalar"``: one real value; ``"onehot"``: a group of indicator
        columns of which exactly one is 1.
    role : {"value", "mode", "category", "missing"}
        ``"value"``: the normalized number of a continuous column;
        ``"mode"``: which mixture mode it belongs to; ``"category"``: the
        category of a discrete column (its missing slot included);
        ``"missing"``: whether a continuous column is missing
        (slots: observed, missing).
    bounded : bool
        For scalars, whether the value lies in [-1, 1] (so that a ``tanh``
        output can reach every value). Always True for one-hot groups.

    Examples
    --------
    >>> from skl_synth.preprocessing import Span
    >>> span = Span(column="age", start=3, width=2, kind="onehot", role="missing")
    >>> span.stop, span.slice
    (5, slice(3, 5, None))
    """

    column: Hashable
    start: int
    width: int
    kind: str
    role: str
    bounded: bool = True

    @property
    def stop(self) -> int:
        """Index one past the block's last column."""
        return self.start + self.width

    @property
    def slice(self) -> slice:
        """The block's columns, for indexing the encoded matrix."""
        return slice(self.start, self.stop)


@persistable("estimator")
class TabularEncoder(TransformerMixin, BaseEstimator):
    """Encode a mixed-type table as a float32 matrix, with an exact inverse.

    Continuous columns get mode-specific normalization (a scalar and a one-hot
    mode), discrete columns a one-hot group, and every column with missing
    values an indicator, so that generated rows can be decoded into a table
    with the input's columns, dtypes, categories, missing rates and ranges.

    Parameters
    ----------
    discrete_columns : list of column labels (or indices for arrays), default=None
        Numeric columns to one-hot encode. ``None`` infers them:

        - ``object`` and ``string`` columns whose values are all dates or
          date-times written in one format (``2020-07-23``,
          ``31/12/2020 14:05``; see the user guide) are datetimes, with a
          warning naming them, and are decoded into strings in that format;
        - other ``bool`` / ``"boolean"``, ``category``, ``string`` and
          ``object`` columns are discrete (booleans keep their dtype);
        - a numeric column with one distinct value, or whose values are all
          whole numbers (an integer dtype, or floats such as ``3.0`` in a
          column with NaN) with at most 10 distinct values, is discrete;
        - other numeric and ``timedelta64`` columns are continuous, and
          ``datetime64`` columns (with or without a time zone) are encoded as
          continuous numbers of ticks.

        When given, a numeric column is discrete exactly when it is listed.

        Columns not listed whose values are all unique strings, or
        consecutive integers, none missing, in at least 20 rows, are
        identifiers (keys such as customer ids), with a warning naming them:
        they take no encoded columns, and ``inverse_transform`` gives them
        fresh values, unique, never a training value, in the training
        values' format.

    column_kinds : dict, default=None
        ``{column: kind}`` overriding the inference for the named columns:
        ``"identifier"`` (strings or integers generated fresh, as above),
        ``"discrete"`` (one-hot, even for unique values or dates written as
        text), ``"continuous"`` (numbers, datetimes or timedeltas only) or
        ``"datetime"`` (``datetime64`` columns, or text that must be dates in
        one format).

    continuous_encoding : {"mode_specific", "quantile", "standard"}, \
            default="mode_specific"
        How continuous (and datetime) columns are encoded:

        - ``"mode_specific"``: a Bayesian Gaussian mixture (Dirichlet-process
          prior, at most ``max_modes`` modes, modes lighter than 0.5% dropped;
          started from a k-means partition as in CTGAN, 100 variational
          iterations on up to 3 000 rows, down to 30 at 10 000) is fitted per
          column; a value becomes a one-hot of its most probable
          mode and the scalar ``(x - mean) / (4 std)`` of that mode, clipped
          to [-1, 1];
        - ``"quantile"``: a quantile transform to a standard normal, divided
          by 5.2 so that it lies in [-1, 1];
        - ``"standard"``: ``(x - mean) / std``, unbounded.

    max_modes : int, default=10
        Upper bound on the mixture modes per column (``"mode_specific"``).

    max_fit_rows : int or None, default=10_000
        The mixture (or quantiles) of each column is fitted on at most this
        many rows, drawn at random; ``None`` uses every row. Encoding always
        uses every row.

    min_frequency : int or float, default=None
        Discrete categories seen fewer than ``min_frequency`` times (an int),
        or in less than this fraction of rows (a float in (0, 1)), share one
        "infrequent" slot, as in :class:`sklearn.preprocessing.OneHotEncoder`.
        ``inverse_transform`` turns that slot into one of its categories,
        drawn with their training frequencies.

    max_categories : int, "auto" or None, default="auto"
        At most this many slots per discrete column (the infrequent slot
        included, the missing slot not); the least frequent categories are
        grouped as with ``min_frequency``. ``"auto"`` bounds the width by the
        rows: one slot per 10 training rows, at least 10 and at most 100, so
        that a column of 5 000 distinct values in 20 000 rows takes 100
        encoded columns, not 5 000, and its rare values are drawn from the
        tail slot with their training frequencies; columns with fewer
        categories than that are untouched. ``None``: one slot per category.

    handle_unknown : {"error", "infrequent_if_exist"}, default="error"
        What ``transform`` does with a category not seen during fit:
        raise a ``ValueError`` naming it, or encode it as the column's
        infrequent slot when it has one (and raise otherwise).

    n_jobs : int, default=None
        Number of columns fitted in parallel (joblib). ``None`` means 1
        unless in a :func:`joblib.parallel_config` context.

    random_state : int, RandomState instance or None, default=None
        Seeds the row subsampling and the mixtures during fit, and the draws
        from infrequent categories in ``inverse_transform``. Pass an int for
        reproducible results. The global numpy state is never used.

    Attributes
    ----------
    schema_ : tuple of ColumnSchema
        The inferred kind, dtype, categories, range and precision of each
        input column, in input order.

    layout_ : tuple of Span
        The blocks of the encoded matrix, left to right: for each block its
        source column, start, width, kind (``"scalar"`` / ``"onehot"``) and
        role (``"value"``, ``"mode"``, ``"category"``, ``"missing"``).

    column_codecs_ : list
        The fitted encoder of each input column.

    n_features_in_ : int
        Number of input columns.

    feature_names_in_ : ndarray of str
        Input column names, when fitted on a DataFrame with string names.

    See Also
    --------
    sklearn.preprocessing.OneHotEncoder : One-hot encoding of discrete features.
    sklearn.preprocessing.QuantileTransformer : Quantile-based scaling.

    Notes
    -----
    Missing values: a continuous or datetime column with missing values gets
    a two-slot one-hot indicator (observed, missing) after its value blocks,
    its missing entries being encoded as the column's median; a discrete
    column gets one more slot in its one-hot group. Columns without missing
    values during fit refuse them in ``transform``.

    ``inverse_transform`` restores the input's container (DataFrame or
    ndarray), column order, names and dtypes: integers are rounded, floats
    are rounded to the number of decimals every training value had (up to
    6), datetimes to the coarsest resolution (day, hour, minute, second, ms,
    us) every training value had, continuous values are clipped to the
    training range, and categoricals keep their categories and order.

    Examples
    --------
    >>> from skl_synth.datasets import load_student_placements
    >>> from skl_synth.preprocessing import TabularEncoder
    >>> X = load_student_placements()
    >>> encoder = TabularEncoder(random_state=0).fit(X)
    >>> Xt = encoder.transform(X)
    >>> Xt.dtype, Xt.shape[0]
    (dtype('float32'), 215)
    >>> encoder.layout_[0]
    Span(column='gender', start=0, width=2, kind='onehot', role='category', ...)
    >>> back = encoder.inverse_transform(Xt)
    >>> back.dtypes.equals(X.dtypes), back["gender"].equals(X["gender"])
    (True, True)
    """

    _parameter_constraints: dict = {
        "discrete_columns": ["array-like", None],
        "column_kinds": [dict, None],
        "continuous_encoding": [StrOptions({"mode_specific", "quantile", "standard"})],
        "max_modes": [Interval(Integral, 1, None, closed="left")],
        "max_fit_rows": [Interval(Integral, 1, None, closed="left"), None],
        "min_frequency": [
            Interval(Integral, 1, None, closed="left"),
            Interval(RealNotInt, 0, 1, closed="neither"),
            None,
        ],
        "max_categories": [
            Interval(Integral, 2, None, closed="left"),
            StrOptions({"auto"}),
            None,
        ],
        "handle_unknown": [StrOptions({"error", "infrequent_if_exist"})],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        *,
        discrete_columns=None,
        column_kinds=None,
        continuous_encoding="mode_specific",
        max_modes=10,
        max_fit_rows=10_000,
        min_frequency=None,
        max_categories="auto",
        handle_unknown="error",
        n_jobs=None,
        random_state=None,
    ):
        self.discrete_columns = discrete_columns
        self.column_kinds = column_kinds
        self.continuous_encoding = continuous_encoding
        self.max_modes = max_modes
        self.max_fit_rows = max_fit_rows
        self.min_frequency = min_frequency
        self.max_categories = max_categories
        self.handle_unknown = handle_unknown
        self.n_jobs = n_jobs
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the schema and the per-column encoders of ``X``.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The table: a DataFrame of any mix of numeric, boolean,
            categorical, string and datetime columns, or a numeric array.
        y : None
            Ignored.

        Returns
        -------
        self : TabularEncoder
            The fitted encoder.
        """
        frame = self._check_input(X, reset=True)
        discrete = self.discrete_columns
        self.schema_ = infer_schema(
            frame, None if discrete is None else list(discrete), self.column_kinds
        )
        rng = local_random_state(self.random_state)
        seeds = rng.randint(np.iinfo(np.int32).max, size=len(self.schema_))
        params = {
            "continuous_encoding": self.continuous_encoding,
            "max_modes": self.max_modes,
            "max_fit_rows": self.max_fit_rows,
            "min_frequency": self.min_frequency,
            "max_categories": self.max_categories,
        }
        self.column_codecs_ = Parallel(n_jobs=self.n_jobs, prefer="threads")(
            delayed(_fit_codec)(frame[schema.name], schema, params, seed)
            for schema, seed in zip(self.schema_, seeds, strict=True)
        )
        self._make_layout()
        return self

    def transform(self, X):
        """Encode ``X`` as a float32 matrix laid out as :attr:`layout_`.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            A table with the columns seen during fit.

        Returns
        -------
        Xt : ndarray of shape (n_samples, n_encoded_features), dtype float32
            The encoded rows.
        """
        check_is_fitted(self)
        frame = self._check_input(X, reset=False)
        out = np.empty((len(frame), self._width), dtype=np.float32)
        for codec, block in zip(self.column_codecs_, self._column_slices, strict=True):
            view = out[:, block]  # one-hot blocks are written in place, not copied
            encoded = codec.transform(
                frame[codec.schema.name], self.handle_unknown, view
            )
            if encoded is not view:
                view[:] = encoded
        return out

    def inverse_transform(self, X):
        """Decode an encoded (or generated) matrix back into a table.

        One-hot groups are read by their largest entry and scalars are
        clipped to their range, so soft network outputs decode too.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_encoded_features)
            Encoded rows, for example from :meth:`transform` or a generator.

        Returns
        -------
        X_original : DataFrame or ndarray of shape (n_samples, n_features)
            The container type, columns and dtypes seen during fit.
        """
        check_is_fitted(self)
        return self.decode(X, self.random_state)

    def decode(self, X, random_state):
        """:meth:`inverse_transform` with its own randomness.

        Decoding draws the values of identifiers and of the categories
        pooled as infrequent; a synthesizer passes each ``sample`` call's
        seed, where ``inverse_transform`` uses the encoder's
        ``random_state``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_encoded_features)
            Encoded rows.
        random_state : int, RandomState instance or None
            Seeds the draws (None: fresh entropy, never numpy's global state).

        Returns
        -------
        X_original : DataFrame or ndarray of shape (n_samples, n_features)
            The container type, columns and dtypes seen during fit.

        Examples
        --------
        >>> from skl_synth.datasets import load_student_placements
        >>> from skl_synth.preprocessing import TabularEncoder
        >>> data = load_student_placements()
        >>> encoder = TabularEncoder(random_state=0).fit(data)
        >>> rows = encoder.decode(encoder.transform(data.head(3)), 5)
        >>> rows.shape, rows["gender"].tolist() == data["gender"].head(3).tolist()
        ((3, 16), True)
        """
        check_is_fitted(self)
        rng = local_random_state(random_state)
        X = check_array(
            X, dtype=(np.float32, np.float64), input_name="X", ensure_min_features=0
        )
        if X.shape[1] != self._width:
            raise ValueError(
                f"X has {X.shape[1]} encoded columns, but this encoder produces "
                f"{self._width}; pass the output of transform (or of a generator "
                "built on this encoder's layout_)."
            )
        columns = [
            codec.inverse(X[:, block], rng)
            for codec, block in zip(
                self.column_codecs_, self._column_slices, strict=True
            )
        ]
        return self.assemble(columns)

    def assemble(self, columns):
        """Decoded columns, one Series per column, in the container seen during fit.

        For synthesizers that decode column by column (the copula decodes a
        discrete column from its slots, without the one-hot matrix).

        Parameters
        ----------
        columns : list of Series
            One per column of :attr:`schema_`, in order, with its dtype.

        Returns
        -------
        X_original : DataFrame or ndarray of shape (n_samples, n_features)
            The container type and dtypes seen during fit.

        Examples
        --------
        >>> import pandas as pd
        >>> from skl_synth.preprocessing import TabularEncoder
        >>> encoder = TabularEncoder().fit(pd.DataFrame({"a": [1.0, 2.0]}).to_numpy())
        >>> encoder.assemble([pd.Series([3.0, 4.0])]).tolist()
        [[3.0], [4.0]]
        """
        check_is_fitted(self)
        if self._container == "ndarray":
            return np.column_stack([c.to_numpy() for c in columns]).astype(self._dtype)
        return pd.concat(columns, axis=1)

    def get_feature_names_out(self, input_features=None):
        """Get the names of the encoded columns, such as ``"age_value"``.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Must match the input column names if given; only checked.

        Returns
        -------
        feature_names_out : ndarray of str objects
            One name per encoded column, in the order of :attr:`layout_`.
        """
        check_is_fitted(self)
        if input_features is not None:
            expected = [_display_name(s.name, self._container) for s in self.schema_]
            if list(input_features) != expected:
                raise ValueError(
                    f"input_features {preview(input_features)} do not match the "
                    f"columns seen during fit {preview(expected)}."
                )
        return self._feature_names_out.copy()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.transformer_tags.preserves_dtype = []
        return tags

    def check_frame(self, X):
        """``X`` checked against the columns seen during fit, as a DataFrame.

        A DataFrame must have the fitted columns (in any order); an array
        (or a DataFrame given to an encoder fitted on an array) is matched
        by position and gets the fitted column names. ``X`` itself is
        returned when it is a valid DataFrame: it is never modified.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            A table with the columns seen during fit.

        Returns
        -------
        frame : DataFrame
            ``X`` itself, or a DataFrame of its values with the fitted names.

        Examples
        --------
        >>> import numpy as np
        >>> from skl_synth.preprocessing import TabularEncoder
        >>> encoder = TabularEncoder().fit(np.zeros((3, 2)))
        >>> list(encoder.check_frame(np.ones((1, 2))).columns)
        [0, 1]
        """
        check_is_fitted(self)
        return self._check_input(X, reset=False)

    # ------------------------------------------------------------------

    def _check_input(self, X, *, reset: bool) -> pd.DataFrame:
        """Validate ``X`` and return it as a DataFrame (never a modified copy)."""
        fitted_on_frame = not reset and self._container == "frame"
        if isinstance(X, pd.DataFrame) and (reset or fitted_on_frame):
            validate_data(self, X, reset=reset, skip_check_array=True)
            if reset:
                self._container = "frame"
                return X
            expected = [schema.name for schema in self.schema_]
            missing = [c for c in expected if c not in X.columns]
            extra = [c for c in X.columns if c not in expected]
            if missing or extra:
                raise ValueError(
                    f"X has different columns than during fit: missing "
                    f"{preview(missing)}, unexpected {preview(extra)}; pass "
                    "the columns the encoder was fitted on."
                )
            return X
        if isinstance(X, pd.DataFrame):  # fitted on an array: use positions
            X = X.to_numpy()
        # Arrays are numeric, except at transform time for an encoder fitted on
        # a DataFrame, whose columns are then matched by position.
        dtype = None if fitted_on_frame else "numeric"
        array = validate_data(
            self, X, reset=reset, dtype=dtype, ensure_all_finite=False
        )
        if reset:
            self._container, self._dtype = "ndarray", array.dtype
            return pd.DataFrame(array)
        return pd.DataFrame(array, columns=[schema.name for schema in self.schema_])

    def _make_layout(self) -> None:
        spans, names, slices, start = [], [], [], 0
        for codec in self.column_codecs_:
            first = start
            name = _display_name(codec.schema.name, self._container)
            for part in codec.parts(name):
                spans.append(
                    Span(
                        codec.schema.name,
                        start,
                        part.width,
                        part.kind,
                        part.role,
                        part.bounded,
                    )
                )
                names.extend(part.names)
                start += part.width
            slices.append(slice(first, start))
        self.layout_ = tuple(spans)
        self._feature_names_out = np.asarray(names, dtype=object)
        self._column_slices = slices
        self._width = start


def _fit_codec(series, schema: ColumnSchema, params: dict, seed: int) -> ColumnCodec:
    return ColumnCodec(schema, params, seed).fit(series)


def _display_name(name, container: str) -> str:
    return f"x{name}" if container == "ndarray" else str(name)
