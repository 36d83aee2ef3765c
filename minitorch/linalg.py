"""torch.linalg, built from minitorch's tensor ops.

The backend contract has no decomposition kernels, so each factorisation is written as
its textbook algorithm over batches of matrices (..., m, n): LU with partial pivoting,
Householder QR, Cholesky by columns, cyclic Jacobi rotations for eigh, one-sided Jacobi
for the SVD. The loops run over the matrix size n in Python (minitorch targets small
matrices); pivot choices and convergence are read on the host, as data-dependent control
flow; the values are always tensor ops, so every backend runs them and autograd
differentiates through the algorithm itself. Results are those of torch.linalg (LAPACK's
pivots and QR signs); eigenvector and singular vector signs are not canonical.
"""
import collections
import math
import numbers
import operator

import numpy as np

from . import functions, layout
from .autograd import no_grad
from .creation import tensor as make_tensor
from .dtype import int64
from .functions import (cat, diag_embed, expand, matmul, reduce_sum, stack,
                        take_along_dim, tril, triu, vector_norm, where)
from .functions import multi_dot  # noqa: F401  (re-exported as torch.linalg.multi_dot)
from .layout import format_shape
from .tensor import Tensor

LUFactorResult = collections.namedtuple("LUFactorResult", "LU pivots")
LUFactorExResult = collections.namedtuple("LUFactorExResult", "LU pivots info")
LUResult = collections.namedtuple("LUResult", "P L U")
SlogdetResult = collections.namedtuple("SlogdetResult", "sign logabsdet")
InvExResult = collections.namedtuple("InvExResult", "inverse info")
CholeskyExResult = collections.namedtuple("CholeskyExResult", "L info")
QRResult = collections.namedtuple("QRResult", "Q R")
EighResult = collections.namedtuple("EighResult", "eigenvalues eigenvectors")
SVDResult = collections.namedtuple("SVDResult", "U S Vh")
LstsqResult = collections.namedtuple("LstsqResult", "solution residuals rank singular_values")
SolveExResult = collections.namedtuple("SolveExResult", "result info")
SVDLegacyResult = collections.namedtuple("SVDLegacyResult", "U S V")
TriangularSolveResult = collections.namedtuple("TriangularSolveResult",
                                               "solution cloned_coefficient")


class LinAlgError(RuntimeError):
    """A matrix the operation cannot handle: singular, or not positive-definite (a
    RuntimeError, as torch.linalg.LinAlgError)."""


# ---- shared checks and constants --------------------------------------------------------

def _check_matrices(op_name, a, square=True):
    """a is a floating-point (batch of) matrices (..., m, n), square when asked."""
    if not a.dtype.is_floating_point:
        raise TypeError(f"{op_name}: expected a floating-point input, got {a.dtype.name}")
    if a.ndim < 2:
        raise ValueError(f"{op_name}: expected a (batch of) matrices with at least 2 dims, "
                         f"got {format_shape(a.shape)}")
    if square and a.shape[-1] != a.shape[-2]:
        raise ValueError(f"{op_name}: expected a (batch of) square matrices, got "
                         f"{format_shape(a.shape)}")


def _constant(array, like):
    """A host array as a tensor of like's dtype and backend (no gradient)."""
    return make_tensor(np.asarray(array), dtype=like.dtype, backend=like.backend)


def _host(a):
    """a's values on the host, for pivot and convergence decisions only."""
    return a.detach().numpy()


def _eps(a):
    return float(np.finfo(a.dtype.name).eps)


def _symmetric_from_triangle(a, upper):
    """The symmetric matrix whose values come from a's lower (upper=True: upper) triangle,
    as LAPACK reads it, with the gradient of (a + a^T) / 2: torch's gradients for
    cholesky and eigh are symmetric, as for a perturbation that keeps a symmetric."""
    triangle = triu(a) if upper else tril(a)
    from_triangle = triangle + triangle.mT - diag_embed(diagonal(a))
    symmetric = (a + a.mT) / 2
    return symmetric + (from_triangle - symmetric).detach()


def _broadcast_batches(a, b, op_name):
    """a (..., m, m) and b (..., m, k) expanded to their broadcast batch dims."""
    batch = layout.broadcast_shapes(a.shape[:-2], b.shape[:-2], op_name)
    return expand(a, batch + a.shape[-2:]), expand(b, batch + b.shape[-2:])


# ---- LU and what it solves ------------------------------------------------------------

def _lu_packed(a):
    """Partial-pivoting LU of a (..., m, n), as LAPACK's getrf: (packed, order, pivots,
    info) where packed holds U on and above the diagonal and L's multipliers below it,
    order (host, (..., m)) is the row order with a[order] = L U, pivots LAPACK's 1-based
    row swaps and info the 1-based index of the first zero pivot (0: none). The pivot is
    the first largest |value| in its column; a zero pivot leaves its column unscaled."""
    m, n = a.shape[-2:]
    batch = a.shape[:-2]
    order = np.broadcast_to(np.arange(m), batch + (m,)).copy()
    pivots = np.zeros(batch + (min(m, n),), np.int64)
    packed = a
    for k in range(min(m, n)):
        best = k + np.abs(_host(packed[..., k:, k])).argmax(-1)
        pivots[..., k] = best + 1
        if np.any(best != k):
            swap = np.broadcast_to(np.arange(m), batch + (m,)).copy()
            np.put_along_axis(swap, best[..., None], k, -1)
            swap[..., k] = best
            order = np.take_along_axis(order, swap, -1)
            rows = make_tensor(swap[..., None], dtype=int64, backend=a.backend)
            packed = take_along_dim(packed, rows, -2)
        pivot = packed[..., k:k + 1, k:k + 1]
        multipliers = packed[..., k + 1:, k:k + 1] / where(pivot == 0, 1.0, pivot)
        trailing = packed[..., k + 1:, k + 1:] - multipliers * packed[..., k:k + 1, k + 1:]
        below = cat([packed[..., k + 1:, :k], multipliers, trailing], -1)
        packed = cat([packed[..., :k + 1, :], below], -2)
    zero = _host(diagonal(packed)) == 0
    first_zero = zero.argmax(-1) if zero.shape[-1] else np.zeros(batch, np.int64)  # 0 x n
    info = np.where(zero.any(-1), first_zero + 1, 0)
    return packed, order, pivots, info


def _check_pivot(pivot):
    if not pivot:
        raise NotImplementedError("linalg.lu: LU without pivoting (pivot=False) is not "
                                  "implemented, as on torch's CPU")


def lu_factor_ex(A, *, pivot=True, check_errors=False):
    """(LU, pivots, info) as torch.linalg.lu_factor_ex: LU packs L (unit diagonal, below)
    and U; pivots (int64 here, int32 in torch) are LAPACK's 1-based row swaps; info is
    the 1-based index of U's first zero diagonal element, 0 when there is none."""
    _check_matrices("linalg.lu_factor_ex", A, square=False)
    _check_pivot(pivot)
    packed, _, pivots, info = _lu_packed(A)
    if check_errors and info.any():
        raise LinAlgError(f"linalg.lu_factor_ex: U[{info.max()},{info.max()}] is zero")
    return LUFactorExResult(packed, make_tensor(pivots, backend=A.backend),
                            make_tensor(info, backend=A.backend))


def lu_factor(A, *, pivot=True):
    """(LU, pivots) as torch.linalg.lu_factor; refuses a matrix whose U has a zero on its
    diagonal (lu_factor_ex and lu do not)."""
    _check_matrices("linalg.lu_factor", A, square=False)
    _check_pivot(pivot)
    packed, _, pivots, info = _lu_packed(A)
    if info.any():
        position = info[info > 0].min()
        raise LinAlgError(f"linalg.lu_factor: U[{position},{position}] is zero, so the "
                         "matrix is singular; use lu or lu_factor_ex to factor it anyway")
    return LUFactorResult(packed, make_tensor(pivots, backend=A.backend))


def _permutation(order, like):
    """The permutation matrices P (..., m, m) with P[order[i], i] = 1, so a = P L U."""
    m = order.shape[-1]
    return _constant(np.arange(m)[:, None] == order[..., None, :], like)


def lu(A, *, pivot=True):
    """(P, L, U) with A = P L U as torch.linalg.lu: A (..., m, n), k = min(m, n); L
    (..., m, k) unit lower triangular, U (..., k, n) upper triangular."""
    _check_matrices("linalg.lu", A, square=False)
    _check_pivot(pivot)
    packed, order, _, _ = _lu_packed(A)
    m, n = A.shape[-2:]
    k = min(m, n)
    lower = tril(packed[..., :, :k], -1) + _constant(np.eye(m, k), A)
    return LUResult(_permutation(order, A), lower, triu(packed[..., :k, :]))


def _substitute(t, b, lower, unit_diagonal):
    """X with t X = b for triangular t (..., n, n) and b (..., n, k) of one batch shape,
    row by row (forward substitution for lower t, backward for upper)."""
    n = t.shape[-1]
    rows = [None] * n
    for i in (range(n) if lower else reversed(range(n))):
        known = slice(0, i) if lower else slice(i + 1, n)
        value = b[..., i, :]
        if known.start != known.stop:
            solved = stack(rows[known], -2)
            value = value - matmul(t[..., i:i + 1, known], solved)[..., 0, :]
        rows[i] = value if unit_diagonal else value / t[..., i, i:i + 1]
    return stack(rows, -2) if n else b


def _solve_factored(packed, order, b):
    """X with A X = b from A's packed LU and row order; b (..., n, k) of A's batch shape."""
    rows = make_tensor(order[..., None], dtype=int64, backend=b.backend)
    permuted = take_along_dim(b, rows, -2)
    return _substitute(packed, _substitute(packed, permuted, True, True), False, False)


def _inverse(A, op_name):
    """(inverse, info): info (host) the 1-based first zero pivot of A's LU, 0 if none."""
    _check_matrices(op_name, A)
    packed, order, _, info = _lu_packed(A)
    identity = expand(_constant(np.eye(A.shape[-1]), A), A.shape)
    return _solve_factored(packed, order, identity), info


def inv_ex(A, *, check_errors=False):
    """(inverse, info) as torch.linalg.inv_ex: info (int64) is 0 for an invertible matrix,
    else the 1-based index of the zero pivot (the inverse then holds infs or nans)."""
    inverse, info = _inverse(A, "linalg.inv_ex")
    if check_errors and info.any():
        raise LinAlgError("linalg.inv_ex: the input matrix is singular")
    return InvExResult(inverse, make_tensor(info, backend=A.backend))


def inv(A):
    """The inverse of a (batch of) square matrices; a singular one is refused."""
    inverse, info = _inverse(A, "linalg.inv")
    if info.any():
        raise LinAlgError(f"linalg.inv: the diagonal element {info[info > 0].min()} of U is "
                         "zero: the input matrix is singular and has no inverse")
    return inverse


def _solve(A, B, left, op_name):
    """(X, info) with A X = B (left=False: X A = B); info (host) as _lu_packed's."""
    _check_matrices(op_name, A)
    functions._check_same_dtype(op_name, A, B)
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
    if vector:
        B = B.unsqueeze(-1)
    if not left:
        if vector:
            raise ValueError(f"{op_name}: left=False needs B as matrices (..., k, n)")
        solution, info = _solve(A.mT, B.mT, True, op_name)
        return solution.mT, info
    if B.ndim < 2 or B.shape[-2] != A.shape[-1]:
        raise ValueError(f"{op_name}: B {format_shape(B.shape)} does not match A "
                         f"{format_shape(A.shape)}: expected (..., {A.shape[-1]}, k)")
    A, B = _broadcast_batches(A, B, op_name)
    packed, order, _, info = _lu_packed(A)
    solution = _solve_factored(packed, order, B)
    return (solution[..., 0] if vector else solution), info


def solve(A, B, *, left=True):
    """X with A X = B (left=False: X A = B) as torch.linalg.solve: A (..., n, n); B
    (..., n, k), or a (batch of) vectors (..., n) when B is 1-D or has A's shape without
    its last dim; batch dims broadcast. A singular A is refused (LinAlgError)."""
    solution, info = _solve(A, B, left, "linalg.solve")
    if info.any():
        raise LinAlgError("linalg.solve: the input matrix A is singular")
    return solution


def solve_ex(A, B, *, left=True, check_errors=False):
    """(result, info) as torch.linalg.solve_ex: the solve above, with info (int64, A's
    batch shape) the 1-based index of the first zero pivot of A's LU (0: none) instead
    of an error (the result then holds infs or nans)."""
    solution, info = _solve(A, B, left, "linalg.solve_ex")
    if check_errors and info.any():
        raise LinAlgError("linalg.solve_ex: the input matrix A is singular")
    return SolveExResult(solution, make_tensor(info, backend=A.backend))


def det(A):
    """The determinant of a (batch of) square matrices, from its LU."""
    _check_matrices("linalg.det", A)
    packed, _, pivots, _ = _lu_packed(A)
    return functions.prod(diagonal(packed), -1) * _constant(_swap_sign(pivots), A)


def _swap_sign(pivots):
    """(-1) ** (number of row swaps) of LAPACK pivots."""
    swaps = (pivots != np.arange(1, pivots.shape[-1] + 1)).sum(-1)
    return np.where(swaps % 2, -1.0, 1.0)


def slogdet(A):
    """(sign, logabsdet) of det(A) as torch.linalg.slogdet: a singular matrix gives sign
    0 and logabsdet -inf."""
    _check_matrices("linalg.slogdet", A)
    packed, _, pivots, _ = _lu_packed(A)
    diagonal_of_u = diagonal(packed)
    sign = functions.prod(diagonal_of_u.sign(), -1) * _constant(_swap_sign(pivots), A)
    return SlogdetResult(sign, reduce_sum(diagonal_of_u.abs().log(), -1))


def matrix_power(A, n):
    """A (..., m, m) to the integer power n, a negative n through inv(A)."""
    n = operator.index(n)
    if n < 0:
        _check_matrices("linalg.matrix_power", A)
        return functions.matrix_power(inv(A), -n)
    return functions.matrix_power(A, n)


# ---- Cholesky and QR ------------------------------------------------------------------

def _cholesky(A, upper, op_name):
    """(L, info) for the symmetric matrix read from A's lower triangle, column by column;
    info (host) is the order of the first leading minor that is not positive-definite (0:
    none), after which L holds nans."""
    _check_matrices(op_name, A)
    a = _symmetric_from_triangle(A, upper)
    n = a.shape[-1]
    info = np.zeros(a.shape[:-2], np.int64)
    factor = a[..., :, :0]
    for j in range(n):
        remainder = a[..., :, j] - matmul(factor, factor[..., j, :].unsqueeze(-1))[..., 0]
        pivot = remainder[..., j:j + 1]
        failed = ~(_host(pivot)[..., 0] > 0)
        info[(info == 0) & failed] = j + 1
        below = _constant(np.arange(n) >= j, a)   # L has no entries above the diagonal
        column = remainder * below / where(pivot > 0, pivot, math.nan).sqrt()
        factor = cat([factor, column.unsqueeze(-1)], -1)
    return (factor.mT if upper else factor), info


def cholesky_ex(A, *, upper=False, check_errors=False):
    """(L, info) as torch.linalg.cholesky_ex: info (int64) 0, or the order of the first
    leading minor that is not positive-definite."""
    factor, info = _cholesky(A, upper, "linalg.cholesky_ex")
    if check_errors and info.any():
        raise LinAlgError("linalg.cholesky_ex: the input is not positive-definite")
    return CholeskyExResult(factor, make_tensor(info, backend=A.backend))


def cholesky(A, *, upper=False):
    """L (lower triangular, positive diagonal) with A = L L^T for a symmetric
    positive-definite A (..., n, n) read from its lower triangle; upper=True gives L^T.
    A matrix that is not positive-definite is refused."""
    factor, info = _cholesky(A, upper, "linalg.cholesky")
    if info.any():
        raise LinAlgError("linalg.cholesky: the input is not positive-definite (the leading "
                         f"minor of order {info[info > 0].min()} is not positive-definite)")
    return factor


def qr(A, mode="reduced"):
    """(Q, R) with A = Q R by Householder reflections, with LAPACK's signs (each R[k, k]
    is minus the sign of the column's leading value times its norm; a column with nothing
    below the diagonal is left alone). mode 'reduced': Q (..., m, k), R (..., k, n) with
    k = min(m, n); 'complete': Q (..., m, m), R (..., m, n); 'r': R only, Q empty."""
    _check_matrices("linalg.qr", A, square=False)
    if mode not in ("reduced", "complete", "r"):
        raise ValueError(f"linalg.qr: mode must be 'reduced', 'complete' or 'r', got {mode!r}")
    m, n = A.shape[-2:]
    identity = _constant(np.eye(m), A)
    q, r = expand(identity, A.shape[:-2] + (m, m)), A
    for k in range(min(m - 1, n)):
        column = r[..., k:, k]
        leading = column[..., :1]
        reflect = vector_norm(column[..., 1:], dim=-1, keepdim=True) != 0
        beta = -where(leading >= 0, 1.0, -1.0) * vector_norm(column, dim=-1, keepdim=True)
        v = cat([_constant(np.zeros(A.shape[:-2] + (k,)), A), leading - beta,
                 column[..., 1:]], -1)
        length = reduce_sum(v * v, -1, keepdim=True)
        scale = where(reflect, 2 / where(reflect, length, 1.0), 0.0)
        reflector = identity - (scale.unsqueeze(-1) * v.unsqueeze(-1)) * v.unsqueeze(-2)
        r = matmul(reflector, r)
        q = matmul(q, reflector)
    r = triu(r)
    if mode == "complete":
        return QRResult(q, r)
    k = min(m, n)
    if mode == "r":
        return QRResult(_constant(np.zeros(0), A), r[..., :k, :])
    return QRResult(q[..., :, :k], r[..., :k, :])


# ---- Jacobi rotations: eigh and the SVD ----------------------------------------------

_MAX_SWEEPS = 30


def _rotation(first, second, coupling, p, q, n, like):
    """The rotation J (..., n, n) in the (p, q) plane with (J^T S J)[p, q] = 0 for the
    symmetric 2x2 block [[first, coupling], [coupling, second]] of S (each (...,)):
    tan 2t = 2 coupling / (second - first), |t| <= pi / 4."""
    gap = second - first
    angle = functions.atan2(2 * coupling * where(gap < 0, -1.0, 1.0), gap.abs()) / 2
    plane = np.zeros((n, n))
    plane[p, p] = plane[q, q] = 1
    turn = np.zeros((n, n))
    turn[p, q], turn[q, p] = 1, -1
    cosine, sine = angle.cos()[..., None, None], angle.sin()[..., None, None]
    return (_constant(np.eye(n), like) + (cosine - 1) * _constant(plane, like)
            + sine * _constant(turn, like))


def _converged(off_diagonal, scale, like):
    """Whether every |off_diagonal| is at most eps * scale (host arrays)."""
    return bool(np.all(np.abs(off_diagonal) <= _eps(like) * scale))


def _sorted(values, descending, *matrices):
    """values (..., n) sorted (stable), then each matrix (..., m, n) with its columns in
    that order."""
    order = np.argsort(-_host(values) if descending else _host(values), -1, kind="stable")
    order = make_tensor(order, dtype=int64, backend=values.backend)
    return (take_along_dim(values, order, -1),
            *(take_along_dim(matrix, order.unsqueeze(-2), -1) for matrix in matrices))


def eigh(A, UPLO="L"):
    """(eigenvalues ascending (..., n), eigenvectors as columns (..., n, n)) of the
    symmetric matrix read from A's lower (UPLO='U': upper) triangle, by cyclic Jacobi
    rotations until the off-diagonal is negligible. Eigenvector signs are arbitrary."""
    _check_matrices("linalg.eigh", A)
    if UPLO not in ("L", "U"):
        raise ValueError(f"linalg.eigh: UPLO must be 'L' or 'U', got {UPLO!r}")
    a = _symmetric_from_triangle(A, UPLO == "U")
    n = a.shape[-1]
    vectors = expand(_constant(np.eye(n), a), a.shape)
    for _ in range(_MAX_SWEEPS):
        values = _host(a)
        off = values * (1 - np.eye(n))
        if _converged(off, np.abs(values).max(initial=0), a):
            break
        for p in range(n):
            for q in range(p + 1, n):
                turn = _rotation(a[..., p, p], a[..., q, q], a[..., p, q], p, q, n, a)
                a = matmul(matmul(turn.mT, a), turn)
                vectors = matmul(vectors, turn)
    return EighResult(*_sorted(diagonal(a), False, vectors))


def eigvalsh(A, UPLO="L"):
    """The eigenvalues, ascending, of the symmetric matrix read from A (see eigh)."""
    return eigh(A, UPLO).eigenvalues


def _svd_tall(a, full_matrices):
    """(U, S, V) of a (..., m, n) with m >= n by one-sided Jacobi: rotate column pairs
    until all are orthogonal; S are the column norms (descending), U the columns over
    them. Columns for (numerically) zero singular values, and U's columns beyond n when
    full_matrices, complete U to an orthonormal basis through a complete QR."""
    m, n = a.shape[-2:]
    vectors = expand(_constant(np.eye(n), a), a.shape[:-2] + (n, n))
    for _ in range(_MAX_SWEEPS):
        gram = _host(a.mT @ a)
        lengths = np.sqrt(np.abs(np.diagonal(gram, 0, -2, -1)))
        off = gram * (1 - np.eye(n))
        if _converged(off, lengths[..., :, None] * lengths[..., None, :], a):
            break
        for p in range(n):
            for q in range(p + 1, n):
                first, second = a[..., :, p], a[..., :, q]
                turn = _rotation(reduce_sum(first * first, -1), reduce_sum(second * second, -1),
                                 reduce_sum(first * second, -1), p, q, n, a)
                a = matmul(a, turn)
                vectors = matmul(vectors, turn)
    norms, a, vectors = _sorted(vector_norm(a, dim=-2), True, a, vectors)
    tiny = norms <= _eps(a) * max(m, n) * norms[..., :1]
    left = where(tiny.unsqueeze(-2), 0.0, a / where(tiny, 1.0, norms).unsqueeze(-2))
    if (full_matrices and m > n) or _host(tiny).any():
        # the tiny columns are last: Q's first columns are +-U's others, the rest complete them
        basis = qr(left, mode="complete").Q
        left = where(tiny.unsqueeze(-2), basis[..., :, :n], left)
        if full_matrices:
            left = cat([left, basis[..., :, n:]], -1)
    return left, norms, vectors


def svd(A, full_matrices=True, *, driver=None):
    """(U, S, Vh) with A = U diag(S) Vh as torch.linalg.svd: A (..., m, n), k = min(m,
    n); S (..., k) descending; U (..., m, m) and Vh (..., n, n) when full_matrices, else
    (..., m, k) and (..., k, n). Singular vector signs are arbitrary. driver (a CUDA
    option in torch) must be None."""
    _check_matrices("linalg.svd", A, square=False)
    if driver is not None:
        raise ValueError(f"linalg.svd: driver is a CUDA option and must be None, got {driver!r}")
    m, n = A.shape[-2:]
    if m >= n:
        left, values, right = _svd_tall(A, full_matrices)
        return SVDResult(left, values, right.mT)
    left, values, right = _svd_tall(A.mT, full_matrices)
    return SVDResult(right, values, left.mT)


def svdvals(A, *, driver=None):
    """The singular values of A (..., m, n), descending (..., min(m, n))."""
    _check_matrices("linalg.svdvals", A, square=False)
    return svd(A, full_matrices=False, driver=driver).S


# ---- norms, rank, pseudo-inverse, least squares ---------------------------------------

_MATRIX_ORDERS = ("fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf)


def _largest(values, dim, keepdim=False):
    """amax of the nonnegative values over dim, 0 over an empty dim: as torch, the
    positive-order norms of an empty matrix are 0 (the negative ones have no value)."""
    if values.shape[dim] == 0:
        shape = list(values.shape)
        shape[dim] = 1
        zeros = _constant(np.zeros(shape), values)
        return zeros if keepdim else zeros.squeeze(dim)
    return functions.amax(values, dim, keepdim=keepdim)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):  # noqa: A002
    """The ord-norm of the matrices over the two dims dim of A: 'fro' sqrt(sum a^2),
    'nuc' the sum of singular values, 2 / -2 the largest / smallest singular value, 1 /
    -1 the largest / smallest column sum of |a|, inf / -inf the same over rows."""
    if ord not in _MATRIX_ORDERS:
        raise ValueError(f"linalg.matrix_norm: ord must be one of {_MATRIX_ORDERS}, got {ord!r}")
    _check_matrices("linalg.matrix_norm", A, square=False)
    if isinstance(dim, numbers.Integral) or len(dim) != 2:
        raise ValueError(f"linalg.matrix_norm: dim must be 2 dims, got {dim}")
    rows, columns = (layout.normalize_dim(d, A.ndim, "linalg.matrix_norm") for d in dim)
    if rows == columns:
        raise ValueError(f"linalg.matrix_norm: dim must be 2 different dims, got {dim}")
    if dtype is not None:
        A = functions.cast(A, functions._dtype_arg(dtype))
    if ord == "fro":
        return vector_norm(A, 2, (rows, columns), keepdim)
    if ord in (1, -1, math.inf, -math.inf):
        summed, across = (rows, columns) if abs(ord) == 1 else (columns, rows)
        extreme = _largest if ord > 0 else functions.amin
        result = extreme(reduce_sum(A.abs(), summed, keepdim=True), across, keepdim=True)
    else:
        values = svdvals(functions.movedim(A, (rows, columns), (-2, -1)))
        if ord == "nuc":
            result = reduce_sum(values, -1)
        else:
            result = (_largest if ord == 2 else functions.amin)(values, -1)
        for d in sorted((rows, columns)):
            result = result.unsqueeze(d)
    return result if keepdim else result.squeeze((rows, columns))


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):  # noqa: A002
    """torch.linalg.norm: a vector norm when dim is one dim, or when ord is None and dim
    is None (over all elements) or A is 1-D; a matrix norm when dim is two dims, or A is
    2-D with dim None and ord given."""
    if dim is not None:
        dims = (dim,) if isinstance(dim, numbers.Integral) else tuple(dim)
        if len(dims) == 1:
            return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)
        if len(dims) == 2:
            return matrix_norm(A, "fro" if ord is None else ord, dims, keepdim, dtype=dtype)
        raise ValueError(f"linalg.norm: dim must be 1 or 2 dims, got {dim}")
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if A.ndim == 1 and not isinstance(ord, str):
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    if A.ndim == 2:
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
    raise ValueError(f"linalg.norm: with ord={ord!r} and no dim, A must be 1-D (a vector "
                     f"ord) or 2-D, got {format_shape(A.shape)}")


def _tolerance(values, atol, rtol, shape):
    """The cutoff below which singular values count as zero: max(atol, rtol * largest),
    rtol eps * max(m, n) when neither is given (0 when only atol is), as torch."""
    if rtol is None:
        rtol = 0.0 if atol is not None and np.any(np.asarray(atol) > 0) else \
            _eps(values) * max(shape[-2:])
    largest = _largest(values, -1, keepdim=True)
    atol = 0.0 if atol is None else atol
    return functions.maximum(largest * _per_matrix(rtol), _per_matrix(atol))


def _per_matrix(tolerance):
    """A tolerance given per matrix (a tensor of A's batch shape) as a column (..., 1)
    that broadcasts against singular values (..., k); a number as it is."""
    return tolerance.unsqueeze(-1) if isinstance(tolerance, Tensor) else tolerance


def _spectrum(A, hermitian, op_name):
    _check_matrices(op_name, A, square=hermitian)
    return eigvalsh(A).abs() if hermitian else svdvals(A)


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False):
    """The number of singular values (|eigenvalues| when hermitian) of A above the
    tolerance (see _tolerance), as int64 (..., )."""
    with no_grad():
        values = _spectrum(A, hermitian, "linalg.matrix_rank")
        cutoff = _tolerance(values, atol, rtol, A.shape)
        return reduce_sum(values > cutoff, -1)


def pinv(A, *, atol=None, rtol=None, hermitian=False):
    """The Moore-Penrose pseudo-inverse (..., n, m) of A (..., m, n) from its SVD (eigh
    when hermitian), singular values at or below the tolerance taken as zero."""
    _check_matrices("linalg.pinv", A, square=hermitian)
    if hermitian:
        values, vectors = eigh(A)
        left, right = vectors, vectors.mT
    else:
        left, values, right = svd(A, full_matrices=False)
    kept = values.abs() > _tolerance(values.abs(), atol, rtol, A.shape).detach()
    inverted = where(kept, 1 / where(kept, values, 1.0), 0.0)
    return matmul(right.mT * inverted.unsqueeze(-2), left.mT)


def lstsq(A, B, rcond=None, *, driver=None):
    """The least-squares solution X of A X = B (minimal norm when A is rank-deficient),
    A (..., m, n), B (..., m, k), through the pseudo-inverse; as torch's default driver
    'gelsy' gives, residuals and singular_values are empty and rank is A's rank with
    rtol rcond. 'gelsd' and 'gelss' also give the singular values, and the squared
    residuals (..., k) when m > n and every matrix has full rank. B with one dim fewer
    than A is a (batch of) vectors (..., m), as torch: X is then (..., n) (residuals
    keep k = 1)."""
    if driver not in (None, "gelsy", "gelsd", "gelss"):
        raise ValueError(f"linalg.lstsq: driver must be None, 'gelsy', 'gelsd' or 'gelss' "
                         f"(minitorch has no 'gels'), got {driver!r}")
    _check_matrices("linalg.lstsq", A, square=False)
    functions._check_same_dtype("linalg.lstsq", A, B)
    vector_case = B.ndim == A.ndim - 1
    if vector_case:
        B = B.unsqueeze(-1)
    if B.ndim != A.ndim or B.shape[-2] != A.shape[-2]:
        raise ValueError(f"linalg.lstsq: B {format_shape(B.shape)} does not match A "
                         f"{format_shape(A.shape)}: expected (..., {A.shape[-2]}, k) with "
                         f"as many dims as A, or (..., {A.shape[-2]}) with one fewer")
    solution = matmul(pinv(A, rtol=rcond), B)
    rank = matrix_rank(A, rtol=rcond)
    values = residuals = _constant(np.zeros(0), A)
    if driver in ("gelsd", "gelss"):
        values = svdvals(A)
        m, n = A.shape[-2:]
        if m > n and bool((rank == n).all()):
            residuals = reduce_sum((matmul(A, solution) - B) ** 2, -2)
    if vector_case:
        solution = solution.squeeze(-1)
    return LstsqResult(solution, residuals, rank, values)


# ---- products -------------------------------------------------------------------------

def cross(input, other, *, dim=-1):  # noqa: A002 (torch's name)
    """The cross product of 3-vectors along dim (default the last); input and other have
    as many dims, which broadcast."""
    if input.ndim != other.ndim:
        raise ValueError(f"linalg.cross: input {format_shape(input.shape)} and other "
                         f"{format_shape(other.shape)} must have the same number of dims")
    return functions.cross(input, other, dim)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """torch.linalg.diagonal: the diagonals of the matrices in A's last two dims (by
    default), offset above (positive) or below (negative) the main one."""
    return functions.diagonal(A, offset, dim1, dim2)


def vecdot(x, y, *, dim=-1):
    """The dot product of x and y (broadcast) along dim."""
    return reduce_sum(x * y, dim)


def logdet(A):
    """log(det(A)) as torch.logdet: nan for a negative determinant, -inf for a singular
    matrix. As PyTorch's, the gradient is 0 where the determinant is negative."""
    sign, logabsdet = slogdet(A)
    return where(sign < 0, math.nan, logabsdet)


# ---- triangular systems and solves from factorizations ---------------------------------

def solve_triangular(A, B, *, upper, left=True, unitriangular=False):
    """X with A X = B (left=False: X A = B) for triangular A (..., n, n), read from its
    upper (upper=True) or lower triangle only, its diagonal taken as ones when
    unitriangular; B (..., n, k) (left=False: (..., k, n)); batch dims broadcast."""
    _check_matrices("linalg.solve_triangular", A)
    functions._check_same_dtype("linalg.solve_triangular", A, B)
    n = A.shape[-1]
    if B.ndim < 2 or B.shape[-2 if left else -1] != n:
        expected = f"(..., {n}, k)" if left else f"(..., k, {n})"
        raise ValueError(f"linalg.solve_triangular: B {format_shape(B.shape)} does not "
                         f"match A {format_shape(A.shape)}: expected {expected}")
    if not left:    # X A = B is A^T X^T = B^T, and A^T has the other triangle
        return solve_triangular(A.mT, B.mT, upper=not upper, unitriangular=unitriangular).mT
    A, B = _broadcast_batches(A, B, "linalg.solve_triangular")
    return _substitute(A, B, not upper, unitriangular)


def _order_from_pivots(pivots):
    """The row order (host, (..., m)) that LAPACK's 1-based row swaps (host) produce:
    A[order] = L U."""
    m = pivots.shape[-1]
    order = np.broadcast_to(np.arange(m), pivots.shape).copy()
    for k in range(m):
        swap = pivots[..., k:k + 1] - 1
        current = order[..., k:k + 1].copy()
        np.put_along_axis(order, np.full_like(swap, k), np.take_along_axis(order, swap, -1),
                          -1)
        np.put_along_axis(order, swap, current, -1)
    return order


def _check_pivots(op_name, factors, pivots, factors_name="LU", signed=False):
    """Refuse pivots that are not int64 of shape factors.shape[:-1] or that name no row
    1..n (signed: also -n..-1, as LDL's 2x2 blocks mark theirs); their host copy."""
    _check_matrices(op_name, factors)
    n = factors.shape[-1]
    if pivots.dtype is not int64 or pivots.shape != factors.shape[:-1]:
        raise ValueError(f"{op_name}: pivots must be int64 of shape "
                         f"{format_shape(factors.shape[:-1])} ({factors_name}'s without its "
                         f"last dim), got {pivots.dtype.name} {format_shape(pivots.shape)}")
    host = _host(pivots)
    rows = np.abs(host) if signed else host
    if host.size and (rows.min() < 1 or rows.max() > n):
        allowed = f"[1, {n}] or [-{n}, -1]" if signed else f"[1, {n}]"
        raise ValueError(f"{op_name}: pivots must lie in {allowed}")
    return host


def lu_solve(LU, pivots, B, *, left=True, adjoint=False):
    """X with A X = B (adjoint: A^T X = B; left=False: X A = B or X A^T = B) given A's
    factorization (LU, pivots) from lu_factor; B (..., n, k), batch dims broadcast.
    Differentiable in LU and B."""
    host_pivots = _check_pivots("linalg.lu_solve", LU, pivots)
    functions._check_same_dtype("linalg.lu_solve", LU, B)
    n = LU.shape[-1]
    if B.ndim < 2 or B.shape[-2 if left else -1] != n:
        raise ValueError(f"linalg.lu_solve: B {format_shape(B.shape)} does not match LU "
                         f"{format_shape(LU.shape)}")
    if not left:    # X A = B is A^T X^T = B^T
        return lu_solve(LU, pivots, B.mT, adjoint=not adjoint).mT
    LU, B = _broadcast_batches(LU, B, "linalg.lu_solve")
    order = np.broadcast_to(_order_from_pivots(host_pivots), LU.shape[:-1])
    if not adjoint:
        return _solve_factored(LU, order, B)
    # A = P L U, so A^T X = B is U^T L^T (P^T X) = B
    permuted = _substitute(LU.mT, B, True, False)
    permuted = _substitute(LU.mT, permuted, False, True)
    inverse_order = np.argsort(order, -1)
    rows = make_tensor(inverse_order[..., None], dtype=int64, backend=B.backend)
    return take_along_dim(permuted, rows, -2)


# ---- the matrix exponential -----------------------------------------------------------

_PADE_DEGREE = 13
_PADE_THETA = 5.371920351148152   # Higham (2005): ||A||_1 up to which [13/13] is exact to eps


def _pade_coefficients(degree):
    """b_k = (2m - k)! m! / ((2m)! k! (m - k)!), the [m/m] Pade approximant to exp."""
    m = degree
    return [math.factorial(2 * m - k) * math.factorial(m)
            / (math.factorial(2 * m) * math.factorial(k) * math.factorial(m - k))
            for k in range(m + 1)]


def matrix_exp(A):
    """exp(A) for square A (..., n, n) by scaling and squaring (Higham 2005): A / 2^s with
    s the least making every ||A / 2^s||_1 <= 5.37 (read on the host), the [13/13] Pade
    approximant q(A)^-1 p(A), squared s times. Tensor ops throughout, so differentiable."""
    _check_matrices("linalg.matrix_exp", A)
    n = A.shape[-1]
    if A.numel() == 0:
        return A.clone()
    largest = float(np.abs(_host(A)).sum(-2).max())
    squarings = max(0, math.ceil(math.log2(largest / _PADE_THETA))) if largest > 0 else 0
    scaled = A / 2.0 ** squarings
    identity = expand(_constant(np.eye(n), A), A.shape)
    b = _pade_coefficients(_PADE_DEGREE)
    square = matmul(scaled, scaled)
    fourth = matmul(square, square)
    sixth = matmul(fourth, square)
    odd = matmul(scaled, matmul(sixth, b[13] * sixth + b[11] * fourth + b[9] * square)
                 + b[7] * sixth + b[5] * fourth + b[3] * square + b[1] * identity)
    even = matmul(sixth, b[12] * sixth + b[10] * fourth + b[8] * square) \
        + b[6] * sixth + b[4] * fourth + b[2] * square + b[0] * identity
    result = _solve(even - odd, even + odd, True, "linalg.matrix_exp")[0]
    for _ in range(squarings):
        result = matmul(result, result)
    return result


# ---- structured matrices and tensor equations -----------------------------------------

def vander(x, *, N=None):
    """The Vandermonde matrices (..., n, N) of x (..., n): columns x^0, x^1, ..., x^(N-1)
    (N defaults to n; as torch, N must exceed 1), built by repeated products so the
    gradient is defined at 0."""
    if x.ndim < 1:
        raise ValueError("linalg.vander: x must have at least 1 dim, got a 0-d tensor")
    N = x.shape[-1] if N is None else operator.index(N)
    if N < 2:
        raise ValueError(f"linalg.vander: N must be greater than 1, got {N}")
    columns = [functions.ones_like(x)]
    for _ in range(N - 1):
        columns.append(columns[-1] * x)
    return stack(columns, -1)


def cond(A, p=None):
    """The condition number of A in the p-norm: for p None, 2 or -2 the ratio of the
    largest to the smallest singular value (-2: its inverse), of A (..., m, n); for
    'fro', 'nuc', inf, -inf, 1, -1, norm(A, p) norm(inv(A), p) of square A, inf for a
    singular one; 0 for matrices with no elements, as torch."""
    if p is not None and p not in _MATRIX_ORDERS:
        raise ValueError(f"linalg.cond: p must be None or one of {_MATRIX_ORDERS}, got {p!r}")
    _check_matrices("linalg.cond", A, square=p in ("fro", "nuc"))
    if A.shape[-2] * A.shape[-1] == 0:
        return _constant(np.zeros(A.shape[:-2]), A)
    _check_matrices("linalg.cond", A, square=p not in (None, 2, -2))
    if p in (None, 2, -2):
        values = svdvals(A)
        ratio = values[..., 0] / values[..., -1]
        return ratio if p != -2 else 1 / ratio
    inverse, info = _inverse(A, "linalg.cond")
    result = matrix_norm(A, p) * matrix_norm(where(functions.isfinite(inverse), inverse, 0.0), p)
    return where(_constant(info != 0, A) > 0, math.inf, result)


def tensorinv(A, ind=2):
    """The tensor B with tensordot(A, B, ind) the identity: A's first ind dims (of
    product n) are the rows, the rest (product n) the columns; B has shape
    A.shape[ind:] + A.shape[:ind]."""
    ind = operator.index(ind)
    if ind < 1:
        raise ValueError(f"linalg.tensorinv: ind must be a positive integer, got {ind}")
    rows, columns = math.prod(A.shape[:ind]), math.prod(A.shape[ind:])
    if rows != columns:
        raise ValueError(f"linalg.tensorinv: the product of A's first {ind} dims ({rows}) "
                         f"must equal that of the others ({columns}), A is "
                         f"{format_shape(A.shape)}")
    return inv(A.reshape(rows, columns)).reshape(A.shape[ind:] + A.shape[:ind])


def tensorsolve(A, B, dims=None):
    """X with tensordot(A, X, X.ndim) = B: A's dims listed in dims move to the end first;
    then A's leading dims are B's shape and X has A's remaining shape, of the same size."""
    if dims is not None:
        dims = [d % A.ndim for d in dims]
        A = A.permute(*[d for d in range(A.ndim) if d not in dims], *dims)
    if A.shape[:B.ndim] != B.shape:
        raise ValueError(f"linalg.tensorsolve: A's leading dims {format_shape(A.shape)} "
                         f"must be B's shape {format_shape(B.shape)}")
    rows, result_shape = B.numel(), A.shape[B.ndim:]
    if math.prod(result_shape) != rows:
        raise ValueError(f"linalg.tensorsolve: A {format_shape(A.shape)} is not square "
                         f"once B's dims {format_shape(B.shape)} lead")
    return solve(A.reshape(rows, rows), B.reshape(rows)).reshape(result_shape)


def householder_product(A, tau):
    """The first n columns of H_1 ... H_k, H_i = I - tau_i v_i v_i^T with v_i (m) zero
    above i, one at i and A[i+1:, i] below, as LAPACK's orgqr: A (..., m, n), m >= n,
    tau (..., k), k <= n; batch dims must match."""
    _check_matrices("linalg.householder_product", A, square=False)
    functions._check_same_dtype("linalg.householder_product", A, tau)
    m, n = A.shape[-2:]
    k = tau.shape[-1] if tau.ndim else -1
    if m < n or tau.shape[:-1] != A.shape[:-2] or not 0 <= k <= n:
        raise ValueError(f"linalg.householder_product: expected A (..., m, n) with m >= n "
                         f"and tau (..., k) with k <= n and A's batch dims, got A "
                         f"{format_shape(A.shape)} and tau {format_shape(tau.shape)}")
    identity = _constant(np.eye(m), A)
    product = expand(identity, A.shape[:-2] + (m, m))
    for i in range(k):
        v = cat([_constant(np.zeros(A.shape[:-2] + (i,)), A),
                 _constant(np.ones(A.shape[:-2] + (1,)), A), A[..., i + 1:, i]], -1)
        reflector = identity - tau[..., i, None, None] * v.unsqueeze(-1) * v.unsqueeze(-2)
        product = matmul(product, reflector)
    return product[..., :, :n]


# ---- torch's legacy spellings -----------------------------------------------------------

def legacy_svd(input, some=True, compute_uv=True):  # noqa: A002
    """torch.svd: (U, S, V) with A = U diag(S) V^T (V, not Vh); some=False gives the
    full U and V; compute_uv=False gives zero U and V (their full shapes)."""
    if compute_uv:
        U, S, Vh = svd(input, full_matrices=not some)
        return SVDLegacyResult(U, S, Vh.mT)
    m, n = input.shape[-2:]
    batch = input.shape[:-2]
    return SVDLegacyResult(_constant(np.zeros(batch + (m, m)), input), svdvals(input),
                           _constant(np.zeros(batch + (n, n)), input))


def legacy_qr(input, some=True):  # noqa: A002
    """torch.qr: linalg.qr with mode 'reduced' (some) or 'complete'."""
    return qr(input, "reduced" if some else "complete")


def legacy_cholesky(input, upper=False):  # noqa: A002
    """torch.cholesky: linalg.cholesky(input, upper=upper)."""
    return cholesky(input, upper=upper)


def cholesky_solve(input, input2, upper=False):  # noqa: A002
    """X with A X = input for A = L L^T (upper: U^T U), given the factor input2 (only its
    lower, or upper, triangle is read); batch dims broadcast."""
    _check_matrices("cholesky_solve", input2)
    factor = tril(input2) if not upper else triu(input2).mT
    halfway = solve_triangular(factor, input, upper=False)
    return solve_triangular(factor.mT, halfway, upper=True)


def cholesky_inverse(input, upper=False):  # noqa: A002
    """The inverse of A = L L^T (upper: U^T U) from its factor input (..., n, n)."""
    _check_matrices("cholesky_inverse", input)
    identity = expand(_constant(np.eye(input.shape[-1]), input), input.shape)
    return cholesky_solve(identity, input, upper)


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True):
    """torch.lu_unpack: (P, L, U) from lu_factor's (LU, pivots), A = P L U; LU (..., m,
    n), k = min(m, n). A part not asked for is an empty tensor."""
    _check_matrices("lu_unpack", LU_data, square=False)
    m, n = LU_data.shape[-2:]
    k = min(m, n)
    empty = _constant(np.zeros(0), LU_data)
    lower, upper, permutation = empty, empty, empty
    if unpack_data:
        lower = tril(LU_data[..., :, :k], -1) + _constant(np.eye(m, k), LU_data)
        upper = triu(LU_data[..., :k, :])
    if unpack_pivots:
        if LU_pivots.shape != LU_data.shape[:-2] + (k,):
            raise ValueError(f"lu_unpack: LU_pivots {format_shape(LU_pivots.shape)} must "
                             f"be of shape {format_shape(LU_data.shape[:-2] + (k,))}")
        pivots = np.concatenate([_host(LU_pivots).astype(np.int64), np.broadcast_to(
            np.arange(k + 1, m + 1), LU_pivots.shape[:-1] + (m - k,))], -1)
        permutation = _permutation(_order_from_pivots(pivots), LU_data)
    return LUResult(permutation, lower, upper)


def legacy_lu_solve(b, LU_data, LU_pivots):
    """torch.lu_solve: linalg.lu_solve(LU_data, LU_pivots, b)."""
    return lu_solve(LU_data, LU_pivots, b)


def legacy_lu(A, pivot=True, get_infos=False):
    """torch.lu: (LU, pivots) of lu_factor_ex, refusing a singular A; with get_infos,
    (LU, pivots, info) without the check."""
    result = lu_factor_ex(A, pivot=pivot, check_errors=not get_infos)
    return result if get_infos else result[:2]


def triangular_solve(b, A, upper=True, transpose=False, unitriangular=False):
    """torch.triangular_solve: (X, A's clone) with A X = b (transpose: A^T X = b) for
    triangular A (..., n, n) and b (..., n, k); batch dims broadcast."""
    coefficient = A.mT if transpose else A
    solution = solve_triangular(coefficient, b, upper=upper != transpose,
                                unitriangular=unitriangular)
    return TriangularSolveResult(solution, A.clone())


# ---- LDL^T (Bunch-Kaufman) and what it solves -------------------------------------------

LDLFactorResult = collections.namedtuple("LDLFactorResult", "LD pivots")
LDLFactorExResult = collections.namedtuple("LDLFactorExResult", "LD pivots info")

_BUNCH_KAUFMAN_ALPHA = (1 + math.sqrt(17)) / 8   # LAPACK's threshold for a 1x1 pivot


def _swap_trailing(a, start, i, j):
    """a (n, n) with rows and columns i and j (both >= start) swapped inside the trailing
    block a[start:, start:] only, as LAPACK's sytf2 interchanges (the columns of L
    already computed keep their rows)."""
    n = a.shape[-1]
    order = np.arange(n - start)
    order[[i - start, j - start]] = order[[j - start, i - start]]
    index = make_tensor(order, dtype=int64, backend=a.backend)
    trailing = functions.index_select(functions.index_select(a[start:, start:], 0, index),
                                      1, index)
    return cat([a[:start, :], cat([a[start:, :start], trailing], -1)], -2)


def _bunch_kaufman_pivot(host, k):
    """(kp, kstep) of LAPACK's sytf2 (lower) at column k of the partly factored matrix
    host (numpy): kstep 1 or 2 the pivot block's size, kp the row to bring to k
    (kstep 1) or to k + 1 (kstep 2); None for kp when the column is zero."""
    n = host.shape[-1]
    absakk = abs(host[k, k])
    below = np.abs(host[k + 1:, k])
    imax = k + 1 + int(below.argmax()) if below.size else k
    colmax = below.max(initial=0.0)
    if max(absakk, colmax) == 0:
        return None, 1
    if absakk >= _BUNCH_KAUFMAN_ALPHA * colmax:
        return k, 1
    rowmax = max(np.abs(host[imax, k:imax]).max(initial=0.0),
                 np.abs(host[imax + 1:, imax]).max(initial=0.0) if imax < n - 1 else 0.0)
    if absakk >= _BUNCH_KAUFMAN_ALPHA * colmax * (colmax / rowmax):
        return k, 1
    if abs(host[imax, imax]) >= _BUNCH_KAUFMAN_ALPHA * rowmax:
        return imax, 1
    return imax, 2


def _ldl_one(a):
    """(LD, pivots, info) of one symmetric matrix a (n, n), read from its lower triangle,
    as LAPACK's sytrf (lower, unblocked sytf2): LD holds L's multipliers below the
    diagonal and D's 1x1 and 2x2 blocks on and just below it (zeros above); pivots
    (host, 1-based) give each step's interchange, negative for both columns of a 2x2
    block; info is the 1-based first column found zero (0: none)."""
    n = a.shape[-1]
    a = _symmetric_from_triangle(a, False)
    pivots, info, k = np.zeros(n, np.int64), 0, 0
    while k < n:
        kp, kstep = _bunch_kaufman_pivot(_host(a), k)
        if kp is None:      # a zero column: LAPACK notes it and leaves it as it is
            info = info or k + 1
            pivots[k], k = k + 1, k + 1
            continue
        last = k + kstep - 1
        if kp != last:
            a = _swap_trailing(a, k, last, kp)
        if kstep == 1:
            column = a[k + 1:, k:k + 1] / a[k, k]
            trailing = a[k + 1:, k + 1:] - column * a[k:k + 1, k + 1:]
            pivots[k] = kp + 1
        else:   # W = C D^-1 for the columns C below the 2x2 block D, in LAPACK's scaling
            d21 = a[k + 1, k]
            d11, d22 = a[k + 1, k + 1] / d21, a[k, k] / d21
            scale = 1 / (d11 * d22 - 1) / d21
            below = a[k + 2:, k:k + 2]
            column = stack([scale * (d11 * below[:, 0] - below[:, 1]),
                            scale * (d22 * below[:, 1] - below[:, 0])], -1)
            trailing = a[k + 2:, k + 2:] - matmul(below, column.mT)
            pivots[k:k + 2] = -(kp + 1)
        end = k + kstep
        a = cat([a[:end, :], cat([a[end:, :k], column, trailing], -1)], -2)
        k = end
    return tril(a), pivots, info


def _ldl_batched(A, op_name):
    """(LD, pivots, info) of every matrix of A (..., n, n): pivots and info as int64
    tensors of shapes (..., n) and (...)."""
    _check_matrices(op_name, A)
    batch, n = A.shape[:-2], A.shape[-1]
    results = [_ldl_one(matrix) for matrix in A.reshape(-1, n, n).unbind(0)]
    LD = stack([ld for ld, _, _ in results], 0).reshape(A.shape) if results else A.clone()
    pivots = np.array([p for _, p, _ in results], np.int64).reshape(batch + (n,))
    info = np.array([i for _, _, i in results], np.int64).reshape(batch)
    return LD, make_tensor(pivots, backend=A.backend), make_tensor(info, backend=A.backend)


def ldl_factor_ex(A, *, hermitian=False, check_errors=False):
    """(LD, pivots, info) as torch.linalg.ldl_factor_ex: the Bunch-Kaufman factorization
    A = L D L^T of symmetric A (..., n, n), read from its lower triangle, in LAPACK
    sytrf's packed form (see _ldl_one); pivots (int64 here, int32 in torch) are LAPACK's
    1-based interchanges, negative for the two columns of a 2x2 block of D; info is the
    1-based index of the first zero column met (0: none). hermitian changes nothing for
    real A. With check_errors, a nonzero info raises LinAlgError. Differentiable here
    (torch's is not)."""
    LD, pivots, info = _ldl_batched(A, "linalg.ldl_factor_ex")
    if check_errors and _host(info).any():
        raise LinAlgError("linalg.ldl_factor_ex: D has a zero block, the matrix is "
                          "singular")
    return LDLFactorExResult(LD, pivots, info)


def ldl_factor(A, *, hermitian=False):
    """(LD, pivots) of ldl_factor_ex; refuses a matrix whose D has a zero block."""
    LD, pivots, info = _ldl_batched(A, "linalg.ldl_factor")
    if _host(info).any():
        raise LinAlgError("linalg.ldl_factor: D has a zero block, so the matrix is "
                          "singular; use ldl_factor_ex to factor it anyway")
    return LDLFactorResult(LD, pivots)


def _ldl_solve_one(LD, pivots, b):
    """X with A X = b from one matrix's (LD, host pivots) as LAPACK's sytrs (lower):
    L D Y = b forward, block by block, then L^T X = Y backward, with the interchanges of
    pivots applied to rows as they were to A."""
    n = LD.shape[-1]
    rows = list(b.unbind(0))

    def swap(i, j):
        rows[i], rows[j] = rows[j], rows[i]

    def subtract_column(start, column):   # rows[start:] -= LD[start:, column] * rows[column]
        for i in range(start, n):
            rows[i] = rows[i] - LD[i, column] * rows[column]
    k = 0
    while k < n:
        if pivots[k] > 0:
            swap(k, pivots[k] - 1)
            subtract_column(k + 1, k)
            rows[k] = rows[k] / LD[k, k]
            k += 1
            continue
        swap(k + 1, -pivots[k] - 1)
        subtract_column(k + 2, k)
        subtract_column(k + 2, k + 1)
        d21 = LD[k + 1, k]      # the 2x2 block of D solved in LAPACK's scaling
        d11, d22 = LD[k, k] / d21, LD[k + 1, k + 1] / d21
        first, second = rows[k] / d21, rows[k + 1] / d21
        denominator = d11 * d22 - 1
        rows[k] = (d22 * first - second) / denominator
        rows[k + 1] = (d11 * second - first) / denominator
        k += 2
    k = n - 1
    while k >= 0:
        block = 1 if pivots[k] > 0 else 2
        for column in range(k - block + 1, k + 1):
            for i in range(k + 1, n):
                rows[column] = rows[column] - LD[i, column] * rows[i]
        swap(k, abs(pivots[k]) - 1)
        k -= block
    return stack(rows, 0) if n else b


def ldl_solve(LD, pivots, B, *, hermitian=False):
    """X with A X = B as torch.linalg.ldl_solve, given A's (LD, pivots) from ldl_factor;
    B (..., n, k), batch dims broadcast. hermitian changes nothing for real A.
    Differentiable in LD and B here (torch's is not)."""
    name = "linalg.ldl_solve"
    host = _check_pivots(name, LD, pivots, factors_name="LD", signed=True)
    functions._check_same_dtype(name, LD, B)
    n = LD.shape[-1]
    if B.ndim < 2 or B.shape[-2] != n:
        raise ValueError(f"{name}: B {format_shape(B.shape)} does not match LD "
                         f"{format_shape(LD.shape)}")
    LD, B = _broadcast_batches(LD, B, name)
    host = np.broadcast_to(host, LD.shape[:-1]).reshape(-1, n)
    solutions = [_ldl_solve_one(ld, p, b) for ld, p, b in
                 zip(LD.reshape(-1, n, n).unbind(0), host, B.reshape((-1,) + B.shape[-2:])
                     .unbind(0))]
    return stack(solutions, 0).reshape(B.shape) if solutions else B.clone()


# torch's spellings of these outside torch.linalg: minitorch.det(A) and A.det(), ...
# (matrix_power here also takes negative powers, which functions.matrix_power refuses)
_METHODS = {"det": det, "logdet": logdet, "slogdet": slogdet, "inverse": inv,
            "pinverse": pinv, "matrix_power": matrix_power, "matrix_exp": matrix_exp,
            "svd": legacy_svd, "qr": legacy_qr, "cholesky": legacy_cholesky,
            "cholesky_solve": cholesky_solve, "cholesky_inverse": cholesky_inverse,
            "lu_solve": legacy_lu_solve, "lu": legacy_lu,
            "triangular_solve": triangular_solve}
TOP_LEVEL = {**_METHODS, "lu_unpack": lu_unpack}
for _name, _function in _METHODS.items():
    setattr(Tensor, _name, _function)
