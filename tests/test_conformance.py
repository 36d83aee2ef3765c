"""The packaged conformance suite, run here for every available backend."""
from minitorch.testing.conformance import (  # noqa: F401
    test_forward_matches_torch, test_gradcheck_float64, test_gradients_match_torch,
    test_int64_arithmetic_wraps_around_like_torch, test_special_values_match_torch)
from minitorch.testing.properties import (  # noqa: F401
    test_broadcast_binary_forward_and_backward, test_permute_then_reshape_matches_torch,
    test_reductions_over_any_dims)
