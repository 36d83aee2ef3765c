"""torch.nn.utils.parametrizations: weight_norm, spectral_norm and orthogonal, each a
parametrization registered with parametrize.register_parametrization (so the state-dict
keys are torch's: parametrizations.weight.original0/original1 for weight_norm,
parametrizations.weight.original and parametrizations.weight.0._u/_v for spectral_norm).
"""
from ... import creation, functions, linalg
from ...autograd import no_grad
from ...tensor import Tensor
from .. import functional as F
from ..module import Module
from . import parametrize


def norm_except_dim(tensor, dim):
    """The 2-norm of tensor over every dimension but `dim`, kept as size-1 dimensions
    (torch.norm_except_dim); dim=-1 is the norm of the whole tensor, a 0-d tensor."""
    if dim == -1:
        return functions.vector_norm(tensor)
    others = [axis for axis in range(tensor.ndim) if axis != dim]
    return functions.vector_norm(tensor, 2, dim=others, keepdim=True)


def _tensor_named(op, module, name):
    """module.<name>, which must be a tensor (ValueError naming op otherwise)."""
    tensor = getattr(module, name, None)
    if not isinstance(tensor, Tensor):
        raise ValueError(f"{op}: module '{module}' has no parameter or buffer with name "
                         f"'{name}'")
    return tensor


class _WeightNorm(Module):
    """weight = g * v / ||v||, the norm over every dimension but `dim`; the originals are
    g (original0) and v (original1)."""

    def __init__(self, dim=0):
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        return weight_v * (weight_g / norm_except_dim(weight_v, self.dim))

    def right_inverse(self, weight):
        return norm_except_dim(weight, self.dim), weight


def weight_norm(module, name="weight", dim=0):
    """Reparametrize module.<name> as its magnitude g and direction v (torch's weight
    norm): weight = g * v / ||v||, with ||v|| over all dimensions but `dim` (dim=None: the
    whole tensor). Returns module."""
    weight = _tensor_named("weight_norm", module, name)
    if dim is not None and not -weight.ndim <= dim < max(weight.ndim, 1):
        raise IndexError(f"weight_norm: dim {dim} is out of range for a weight with "
                         f"{weight.ndim} dimensions")
    if dim is not None and dim < 0:
        dim += weight.ndim
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    return module


def power_iteration(matrix, u, v, iterations, eps):
    """`iterations` power-iteration steps for matrix's largest singular value, writing the
    vectors in place: u <- normalize(matrix @ v), then v <- normalize(matrix^T @ u)."""
    with no_grad():
        for _ in range(iterations):
            u.copy_(F.normalize(functions.mv(matrix, v), dim=0, eps=eps))
            v.copy_(F.normalize(functions.mv(matrix.mT, u), dim=0, eps=eps))


class _SpectralNorm(Module):
    """weight / sigma, sigma the largest singular value of the weight seen as a matrix
    (dimension `dim` first, the rest flattened), estimated by power iteration: the
    vectors _u and _v (buffers) take n_power_iterations steps on each call in training
    mode and are reused as they are in eval mode. A 1-D weight is just normalized."""

    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        ndim = weight.ndim
        if not -ndim <= dim < max(ndim, 1):
            raise IndexError(f"spectral_norm: dim {dim} is out of range for a weight with "
                             f"{ndim} dimensions")
        if n_power_iterations <= 0:
            raise ValueError("spectral_norm: expected n_power_iterations to be positive, got "
                             f"n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            matrix = self._reshape_weight_to_matrix(weight)
            rows, columns = matrix.shape
            u = F.normalize(creation.empty(rows, dtype=weight.dtype).normal_(0, 1), dim=0,
                            eps=self.eps)
            v = F.normalize(creation.empty(columns, dtype=weight.dtype).normal_(0, 1), dim=0,
                            eps=self.eps)
            self.register_buffer("_u", u)
            self.register_buffer("_v", v)
            power_iteration(matrix, self._u, self._v, 15, self.eps)

    def _reshape_weight_to_matrix(self, weight):
        return functions.movedim(weight, self.dim, 0).flatten(1)

    def forward(self, weight):
        if weight.ndim == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        matrix = self._reshape_weight_to_matrix(weight)
        if self.training:
            power_iteration(matrix, self._u, self._v, self.n_power_iterations, self.eps)
        u = self._u.clone()
        v = self._v.clone()
        sigma = functions.vdot(u, functions.mv(matrix, v))
        return weight / sigma

    def right_inverse(self, value):
        return value


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Divide module.<name> by its spectral norm, estimated by power iteration (see
    _SpectralNorm). dim defaults to 1 for the ConvTranspose modules, 0 otherwise.
    Returns module."""
    weight = _tensor_named("spectral_norm", module, name)
    if dim is None:
        dim = 1 if type(module).__name__.startswith("ConvTranspose") else 0
    parametrize.register_parametrization(
        module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module


def _make_orthogonal(matrix):
    """The Q of matrix = QR (a tall matrix, or a batch) with diag(R) non-negative."""
    q, r = linalg.qr(matrix)
    signs = functions.where(r.diagonal(dim1=-2, dim2=-1) < 0, -1.0, 1.0).to(matrix.dtype)
    return q * signs.unsqueeze(-2)


def _is_orthogonal(matrix):
    columns = matrix.shape[-1]
    identity = creation.eye(columns, dtype=matrix.dtype)
    tolerance = 10.0 * matrix.shape[-2] * (1.2e-7 if matrix.dtype.name == "float32"
                                           else 2.3e-16)
    return functions.allclose(matrix.mT @ matrix, identity, atol=tolerance)


_ORTHOGONAL_MAPS = ("matrix_exp", "cayley", "householder")


def _householder_factors(matrix):
    """LAPACK's geqrf of matrix (..., n, k), n >= k, in the form householder_product
    reads back: R strictly above the diagonal; below it, in column i, the reflector v_i
    (whose entry i is an implicit 1); on the diagonal the sign of R[i, i] (tau_i is
    2 / (1 + |v_i|^2), so it is not stored).
    As torch's orthogonal, a column LAPACK leaves unreflected (nothing below its
    diagonal to zero: tau 0) has that sign negated, since a v_i of zeros is then read
    as the reflection I - 2 e_i e_i^T. Under no_grad; tensor ops, batched."""
    batch, k = matrix.shape[:-2], matrix.shape[-1]
    reduced = matrix
    columns = []
    for i in range(k):
        column = reduced[..., i:, i]
        leading, rest = column[..., :1], column[..., 1:]
        reflect = functions.vector_norm(rest, dim=-1, keepdim=True) != 0
        # LAPACK's beta: R[i, i] = -sign(leading) |column|, the sign of 0 being +
        beta = functions.where(reflect, -functions.where(leading >= 0, 1.0, -1.0)
                               * functions.vector_norm(column, dim=-1, keepdim=True), leading)
        pivot = functions.where(reflect, leading - beta, 1.0)
        reflector = functions.where(reflect, rest / pivot, 0.0)
        tau = functions.where(reflect, (beta - leading) / functions.where(reflect, beta, 1.0),
                              0.0)
        v = functions.cat([leading.new_zeros(*batch, i), functions.ones_like(leading),
                           reflector], dim=-1)
        reduced = reduced - (tau * v).unsqueeze(-1) * (v.unsqueeze(-2) @ reduced)
        diagonal = functions.where(reflect, beta.sign(), -beta.sign())
        columns.append(functions.cat([leading.new_zeros(*batch, i), diagonal, reflector],
                                     dim=-1))
    return functions.stack(columns, dim=-1) + reduced.triu(1)


class _Orthogonal(Module):
    """An orthogonal matrix (or a batch of them) from an unconstrained one X (n, k), seen
    tall (transposed while n < k):

    - "matrix_exp" / "cayley": exp(A) or (I - A/2)^-1 (I + A/2) of the skew-symmetric
      A = L - L^T, L the lower triangle of X padded with zero columns to (n, n), keeping
      the first k columns;
    - "householder": the product of the Householder reflectors stored below X's diagonal
      (tau_i = 2 / (1 + |v_i|^2)), its columns scaled by the integer part of X's diagonal.

    With use_trivialization (torch's dynamic trivialization), the result is multiplied
    on the left by the buffer `base`, the orthogonal (n, n) matrix assigned last, and
    right_inverse returns the negated identity (which every map sends to I). Without it,
    only "householder" can be assigned to (NotImplementedError for the others, as torch).
    """

    def __init__(self, weight, orthogonal_map, *, use_trivialization=True):
        super().__init__()
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        self.use_trivialization = use_trivialization
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X):
        n, k = X.shape[-2], X.shape[-1]
        transposed = n < k
        if transposed:
            X = X.mT
            n, k = k, n
        if self.orthogonal_map == "householder":
            reflectors = X.tril(-1)
            tau = 2.0 / (1.0 + (reflectors * reflectors).sum(dim=-2))
            Q = linalg.householder_product(reflectors, tau)
            Q = Q * X.diagonal(dim1=-2, dim2=-1).long().unsqueeze(-2)
        else:
            X = X.tril()
            if n != k:
                X = functions.cat([X, X.new_zeros(n, n - k).expand(*X.shape[:-2], n, n - k)],
                                  dim=-1)
            skew = X - X.mT
            if self.orthogonal_map == "matrix_exp":
                Q = linalg.matrix_exp(skew)
            else:
                identity = creation.eye(n, dtype=X.dtype)
                Q = linalg.solve(identity - 0.5 * skew, identity + 0.5 * skew)
            if n != k:
                Q = Q[..., :k]
        if self.use_trivialization:
            Q = self.base @ Q
        return Q.mT if transposed else Q

    def right_inverse(self, Q):
        if Q.shape != self.shape:
            raise ValueError(f"orthogonal: expected a matrix or batch of matrices of shape "
                             f"{tuple(self.shape)}, got a tensor of shape {tuple(Q.shape)}")
        if not self.use_trivialization and self.orthogonal_map != "householder":
            raise NotImplementedError(
                f"orthogonal: cannot assign to the {self.orthogonal_map!r} parametrization "
                "with use_trivialization=False (as torch); use 'householder' or "
                "use_trivialization=True")
        with no_grad():
            initial = Q
            n, k = Q.shape[-2], Q.shape[-1]
            transposed = n < k
            if transposed:
                Q = Q.mT
                n, k = k, n
            if not self.use_trivialization:
                factors = _householder_factors(Q)
                return factors.mT if transposed else factors
            if n == k:
                Q = Q.clone() if _is_orthogonal(Q) else _make_orthogonal(Q)
            else:
                padding = creation.randn(*Q.shape[:-2], n, n - k, dtype=Q.dtype)
                Q = _make_orthogonal(functions.cat([Q, padding], dim=-1))
            self.base = Q
            negated_identity = functions.zeros_like(initial)
            negated_identity.diagonal(dim1=-2, dim2=-1).fill_(-1.0)
        return negated_identity


def orthogonal(module, name="weight", orthogonal_map=None, *, use_trivialization=True):
    """Make module.<name> orthogonal: orthonormal columns for a tall matrix, rows for a
    wide one (a batch of matrices for more than two dimensions), by `orthogonal_map`
    (see _Orthogonal): "matrix_exp", "cayley" or "householder"; None picks torch's
    default, "matrix_exp" for a square matrix and "householder" otherwise. Its initial
    value is the tensor's own when it is orthogonal, else the Q of its QR decomposition
    with a non-negative diagonal of R (with use_trivialization, the extra columns of a
    non-square matrix are drawn at random first). Returns module.

    Refused: a tensor of fewer than two dimensions or a name that is not one
    (ValueError), an unknown map (ValueError).
    """
    weight = _tensor_named("orthogonal", module, name)
    if weight.ndim < 2:
        raise ValueError(f"orthogonal: expected a matrix or batch of matrices, got a tensor "
                         f"of {weight.ndim} dimensions")
    if orthogonal_map is None:
        orthogonal_map = "matrix_exp" if weight.shape[-2] == weight.shape[-1] else "householder"
    if orthogonal_map not in _ORTHOGONAL_MAPS:
        raise ValueError(f"orthogonal: orthogonal_map has to be one of 'matrix_exp', "
                         f"'cayley', 'householder', got {orthogonal_map!r}")
    parametrize.register_parametrization(
        module, name, _Orthogonal(weight, orthogonal_map, use_trivialization=use_trivialization),
        unsafe=True)
    return module
