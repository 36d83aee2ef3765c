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


class _Orthogonal(Module):
    """An orthogonal matrix (or a batch of them) from an unconstrained one by the Cayley
    map of its skew-symmetric part, times `base` (the dynamic trivialization: base is
    the orthogonal matrix assigned last, its right inverse the negated identity)."""

    def __init__(self, weight, orthogonal_map="cayley"):
        super().__init__()
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        self.register_buffer("base", None)

    def forward(self, X):
        n, k = X.shape[-2], X.shape[-1]
        transposed = n < k
        if transposed:
            X = X.mT
            n, k = k, n
        X = X.tril()
        if n != k:
            X = functions.cat([X, X.new_zeros(n, n - k).expand(*X.shape[:-2], n, n - k)],
                              dim=-1)
        skew = X - X.mT
        identity = creation.eye(n, dtype=X.dtype)
        Q = linalg.solve(identity - 0.5 * skew, identity + 0.5 * skew)
        if n != k:
            Q = Q[..., :k]
        Q = self.base @ Q
        return Q.mT if transposed else Q

    def right_inverse(self, Q):
        if Q.shape != self.shape:
            raise ValueError(f"orthogonal: expected a matrix or batch of matrices of shape "
                             f"{tuple(self.shape)}, got a tensor of shape {tuple(Q.shape)}")
        with no_grad():
            initial = Q
            n, k = Q.shape[-2], Q.shape[-1]
            if n < k:
                Q = Q.mT
                n, k = k, n
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
    wide one (a batch of matrices for more than two dimensions). Its initial value is the
    tensor's own when it is orthogonal, else the Q of its QR decomposition (with the
    extra columns of a non-square matrix drawn at random). Returns module.

    minitorch implements torch's "cayley" map with use_trivialization=True, and uses it
    by default (torch's default, "matrix_exp" or "householder", needs matrix_exp or
    householder_product, which minitorch lacks: NotImplementedError for those).
    """
    weight = _tensor_named("orthogonal", module, name)
    if weight.ndim < 2:
        raise ValueError(f"orthogonal: expected a matrix or batch of matrices, got a tensor "
                         f"of {weight.ndim} dimensions")
    if orthogonal_map is None:
        orthogonal_map = "cayley"
    if orthogonal_map not in ("matrix_exp", "cayley", "householder"):
        raise ValueError(f"orthogonal: orthogonal_map has to be one of 'matrix_exp', "
                         f"'cayley', 'householder', got {orthogonal_map!r}")
    if orthogonal_map != "cayley":
        raise NotImplementedError(f"orthogonal: orthogonal_map={orthogonal_map!r} is not "
                                  "supported by minitorch; only 'cayley'")
    if not use_trivialization:
        raise NotImplementedError("orthogonal: use_trivialization=False is not supported by "
                                  "minitorch; only use_trivialization=True")
    parametrize.register_parametrization(module, name, _Orthogonal(weight, orthogonal_map),
                                         unsafe=True)
    return module
