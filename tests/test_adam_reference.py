"""Adam's plain reference update (``optim.adam.adam_reference``, the docstring's formula
line for line) and the fast in-place one that ``Adam.step`` runs compute the same numbers.

A learner reads the reference; training runs the fast one. These tests are what lets the
reference stand for the fast code: float64, several steps, every option, shapes and
values that hypothesis draws, and one tensor large enough to be updated in pieces.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.optim.adam import adam_reference

SHAPES = st.lists(st.integers(1, 5), min_size=0, max_size=3).map(tuple)
OPTIONS = st.fixed_dictionaries({
    "lr": st.sampled_from([1e-3, 0.1, 1.0]),
    "betas": st.tuples(st.sampled_from([0.0, 0.5, 0.9]), st.sampled_from([0.0, 0.9, 0.999])),
    "eps": st.sampled_from([1e-8, 1e-3]),
    "weight_decay": st.sampled_from([0.0, 0.1]),
    "amsgrad": st.booleans(),
    "maximize": st.booleans(),
    "decoupled_weight_decay": st.booleans(),
})


def run_both(theta0, grads, options):
    """theta after len(grads) steps: by Adam.step, and by adam_reference in a loop."""
    p = minigrad.tensor(theta0, requires_grad=True)
    opt = minigrad.optim.Adam([p], **options)
    for g in grads:
        p.grad = minigrad.tensor(g)
        opt.step()

    beta1, beta2 = options["betas"]
    theta, m, v = theta0.copy(), np.zeros_like(theta0), np.zeros_like(theta0)
    v_max = np.zeros_like(theta0) if options["amsgrad"] else None
    for t, g in enumerate(grads, start=1):
        theta, m, v, v_max = adam_reference(
            theta, g, m, v, v_max, t, options["lr"], beta1, beta2, options["eps"],
            options["weight_decay"], options["decoupled_weight_decay"], options["maximize"])
    return p.detach().numpy(), theta, opt.state[p], (m, v, v_max)


@settings(max_examples=40, deadline=None, database=None, derandomize=True)
@given(shape=SHAPES, options=OPTIONS, seed=st.integers(0, 2 ** 16))
def test_adam_step_agrees_with_the_plain_reference_update_in_float64(shape, options, seed):
    rng = np.random.default_rng(seed)
    theta0 = rng.standard_normal(shape)
    grads = [rng.standard_normal(shape) * 10.0 ** rng.integers(-3, 3) for _ in range(4)]
    fast, plain, state, (m, v, v_max) = run_both(theta0, grads, options)
    np.testing.assert_allclose(fast, plain, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(state["exp_avg"].numpy(), m, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(state["exp_avg_sq"].numpy(), v, rtol=1e-12, atol=1e-300)
    if v_max is not None:
        np.testing.assert_allclose(state["max_exp_avg_sq"].numpy(), v_max, rtol=1e-12,
                                   atol=1e-300)


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_step_in_cache_sized_pieces_agrees_with_the_plain_reference(amsgrad):
    """75,000 elements: Adam.step updates three pieces of 32,768 separately."""
    rng = np.random.default_rng(1)
    theta0 = rng.standard_normal((300, 250))
    grads = [rng.standard_normal(theta0.shape) for _ in range(3)]
    options = dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1, amsgrad=amsgrad,
                   maximize=False, decoupled_weight_decay=False)
    fast, plain, _, _ = run_both(theta0, grads, options)
    np.testing.assert_allclose(fast, plain, rtol=1e-12, atol=1e-14)


def test_the_reference_changes_none_of_the_arrays_it_is_given():
    theta, g, m, v = (np.full(3, x) for x in (1.0, 0.5, 0.1, 0.2))
    before = [a.copy() for a in (theta, g, m, v)]
    adam_reference(theta, g, m, v, None, 1, 0.1, 0.9, 0.999, 1e-8, weight_decay=0.1)
    for a, b in zip((theta, g, m, v), before):
        assert np.array_equal(a, b)
