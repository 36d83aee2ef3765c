"""ExponentialFamily: the base of families with densities
p(x; theta) = h(x) exp(<t(x), theta> - F(theta)), whose entropy and same-family KL
follow from the log-normalizer F alone."""
from ..autograd import enable_grad, grad
from .distribution import Distribution
from .utils import sum_rightmost


class ExponentialFamily(Distribution):
    """A distribution given by natural parameters theta (`_natural_params`, a tuple of
    tensors), its log-normalizer F (`_log_normalizer(*theta)`) and the expected log
    carrier measure E[log h(x)] (`_mean_carrier_measure`). `entropy` is then
    F(theta) - <theta, grad F(theta)> - E[log h(x)], and kl_divergence between two
    members of one family is the Bregman divergence of F (registered in kl.py). As in
    torch both evaluate F at detached copies of p's natural parameters, so no gradient
    reaches p's parameters through them; families with a closed form override them."""

    @property
    def _natural_params(self):
        raise self._unsupported("_natural_params")

    def _log_normalizer(self, *natural_params):
        raise self._unsupported("_log_normalizer")

    @property
    def _mean_carrier_measure(self):
        raise self._unsupported("_mean_carrier_measure")

    def _log_normalizer_and_gradients(self, create_graph):
        """F at detached copies theta' of the natural parameters (leaves, so its
        gradients stop at them) and grad F(theta')."""
        with enable_grad():
            natural = [parameter.detach().requires_grad_() for parameter
                       in self._natural_params]
            log_normalizer = self._log_normalizer(*natural)
            # the graph is kept: F(theta') is part of the result, which may be
            # differentiated later (to q's parameters, for the KL)
            gradients = grad(log_normalizer.sum(), natural, retain_graph=True,
                             create_graph=create_graph)
        return natural, log_normalizer, gradients

    def entropy(self):
        natural, log_normalizer, gradients = self._log_normalizer_and_gradients(True)
        result = log_normalizer - self._mean_carrier_measure
        for parameter, gradient in zip(natural, gradients):
            result = result - (parameter * gradient).reshape(
                self._batch_shape + (-1,)).sum(-1)
        return result


def bregman_divergence(p, q):
    """KL(p || q) for p and q of one exponential family: F(theta_q) - F(theta_p) -
    <theta_q - theta_p, grad F(theta_p)>, the inner product over each event."""
    natural, log_normalizer, gradients = p._log_normalizer_and_gradients(False)
    result = q._log_normalizer(*q._natural_params) - log_normalizer
    for p_parameter, q_parameter, gradient in zip(natural, q._natural_params, gradients):
        result = result - sum_rightmost((q_parameter - p_parameter) * gradient,
                                        len(q.event_shape))
    return result
