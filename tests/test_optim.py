"""minigrad.optim against torch.optim: same update rules, state, errors and schedules.

The lockstep tests build one small network loss from plain tensor ops (written once, run by
both frameworks), start both from the same float64 weights, feed the same batches and
step both optimizers 25 times; the parameters must then agree to 1e-9 relative
(``max|a - b| / max|b|`` per tensor).
"""
import warnings

import numpy as np
import pytest
import torch

import minigrad
from minigrad import backend, optim

STEPS = 25
RTOL = 1e-9


# ----------------------------------------------------------------------------- helpers


def make_problem(seed=0, steps=STEPS):
    """Initial weights of a 4-8-3 MLP and one (x, y) batch per step, as NumPy float64."""
    rng = np.random.default_rng(seed)
    shapes = {"W1": (4, 8), "b1": (8,), "W2": (8, 3), "b2": (3,)}
    init = {k: rng.standard_normal(s) * 0.5 for k, s in shapes.items()}
    batches = [(rng.standard_normal((6, 4)), rng.standard_normal((6, 3))) for _ in range(steps)]
    return init, batches


def mlp_loss(p, x, y):
    """The same code runs on minigrad and torch tensors."""
    h = (x @ p["W1"] + p["b1"]).relu()
    out = h @ p["W2"] + p["b2"]
    return ((out - y) ** 2).mean() + 0.1 * (h * h).sum(1).mean()


def params_of(lib, init, device=None):
    if lib is torch:
        return {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
                for k, v in init.items()}
    return {k: minigrad.tensor(v, dtype=minigrad.float64, device=device or "cpu",
                               requires_grad=True) for k, v in init.items()}


def data_of(lib, array, device=None):
    if lib is torch:
        return torch.tensor(array, dtype=torch.float64)
    return minigrad.tensor(array, dtype=minigrad.float64, device=device or "cpu")


def to_numpy(t):
    if isinstance(t, torch.Tensor):
        return t.detach().numpy()
    return t if isinstance(t, np.ndarray) else backend.to_numpy(t.data)


def rel_err(a, b):
    a, b = to_numpy(a), to_numpy(b)
    assert a.shape == b.shape
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


def train(lib, make_opt, init, batches, device=None, steps=None):
    """Run ``steps`` optimizer steps; returns (params, optimizer)."""
    params = params_of(lib, init, device)
    opt = make_opt(lib.optim, params)
    for x, y in batches[:steps]:
        opt.zero_grad()
        mlp_loss(params, data_of(lib, x, device), data_of(lib, y, device)).backward()
        opt.step()
    return params, opt


def lockstep(make_opt, device="cpu", seed=0):
    """Max relative parameter difference between minigrad and torch after STEPS steps."""
    init, batches = make_problem(seed)
    mine, _ = train(minigrad, make_opt, init, batches, device)
    ref, _ = train(torch, make_opt, init, batches)
    moved = max(rel_err(ref[k], init[k]) for k in init)
    assert moved > 1e-3, "the optimizer did not move the parameters: the test would prove nothing"
    return max(rel_err(mine[k], ref[k]) for k in init)


# ------------------------------------------------------------------ lockstep vs torch

SGD_CONFIGS = {
    "plain": dict(lr=0.1),
    "momentum": dict(lr=0.05, momentum=0.9),
    "momentum_dampening": dict(lr=0.05, momentum=0.9, dampening=0.3),
    "nesterov": dict(lr=0.05, momentum=0.9, nesterov=True),
    "weight_decay": dict(lr=0.1, weight_decay=0.05),
    "momentum_weight_decay": dict(lr=0.05, momentum=0.8, weight_decay=0.01),
    "nesterov_weight_decay": dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
    "maximize": dict(lr=0.01, momentum=0.5, maximize=True),
    "everything": dict(lr=0.004, momentum=0.7, weight_decay=0.02, nesterov=True, maximize=True),
}

ADAM_CONFIGS = {
    "defaults": dict(),
    "large_lr": dict(lr=0.05),
    "weight_decay": dict(lr=0.01, weight_decay=0.1),
    "amsgrad": dict(lr=0.02, amsgrad=True),
    "amsgrad_weight_decay": dict(lr=0.02, amsgrad=True, weight_decay=0.05),
    "maximize": dict(lr=0.01, maximize=True),
    "betas_eps": dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6),
    "small_beta1": dict(lr=0.01, betas=(0.3, 0.9)),  # torch.lerp's other branch
}

ADAMW_CONFIGS = {
    "defaults": dict(),
    "large_lr": dict(lr=0.05),
    "weight_decay": dict(lr=0.01, weight_decay=0.3),
    "amsgrad": dict(lr=0.02, amsgrad=True),
    "maximize": dict(lr=0.01, maximize=True, weight_decay=0.1),
}


@pytest.mark.parametrize("config", SGD_CONFIGS.values(), ids=SGD_CONFIGS.keys())
def test_sgd_matches_torch_after_25_steps(config, device):
    assert lockstep(lambda o, p: o.SGD(p.values(), **config), device) < RTOL


@pytest.mark.parametrize("config", ADAM_CONFIGS.values(), ids=ADAM_CONFIGS.keys())
def test_adam_matches_torch_after_25_steps(config, device):
    assert lockstep(lambda o, p: o.Adam(p.values(), **config), device) < RTOL


@pytest.mark.parametrize("config", ADAMW_CONFIGS.values(), ids=ADAMW_CONFIGS.keys())
def test_adamw_matches_torch_after_25_steps(config, device):
    assert lockstep(lambda o, p: o.AdamW(p.values(), **config), device) < RTOL


def test_adam_with_decoupled_weight_decay_is_adamw():
    init, batches = make_problem()
    a, _ = train(minigrad, lambda o, p: o.Adam(p.values(), lr=0.01, weight_decay=0.1,
                                                 decoupled_weight_decay=True), init, batches)
    b, _ = train(minigrad, lambda o, p: o.AdamW(p.values(), lr=0.01, weight_decay=0.1),
                 init, batches)
    for k in init:
        assert np.array_equal(a[k].data, b[k].data)


def test_param_groups_with_their_own_hyper_parameters_match_torch():
    def make(o, p):
        return o.SGD([{"params": [p["W1"], p["b1"]], "lr": 0.2},
                      {"params": [p["W2"], p["b2"]], "momentum": 0.5}], lr=0.05, momentum=0.9)
    assert lockstep(make) < RTOL

    def make_adam(o, p):
        return o.Adam([{"params": [p["W1"], p["b1"]]},
                       {"params": [p["W2"]], "lr": 0.05, "amsgrad": True},
                       {"params": [p["b2"]], "betas": (0.5, 0.9)}], lr=0.01)
    assert lockstep(make_adam) < RTOL


def test_param_group_defaults_fill_in_missing_hyper_parameters():
    w, b = minigrad.zeros(2, requires_grad=True), minigrad.zeros(1, requires_grad=True)
    opt = optim.SGD([{"params": [w]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert [g["momentum"] for g in opt.param_groups] == [0.9, 0.9]
    assert opt.param_groups[1]["params"][0] is b


def test_add_param_group_mid_training_matches_torch():
    init, batches = make_problem()
    results = {}
    for lib in (minigrad, torch):
        p = params_of(lib, init)
        opt = lib.optim.Adam([p["W1"], p["b1"]], lr=0.02)
        for i, (x, y) in enumerate(batches):
            if i == 10:
                opt.add_param_group({"params": [p["W2"], p["b2"]], "lr": 0.05})
            opt.zero_grad()
            mlp_loss(p, data_of(lib, x), data_of(lib, y)).backward()
            opt.step()
        results[lib] = p
    assert max(rel_err(results[minigrad][k], results[torch][k]) for k in init) < RTOL


def test_step_accepts_named_parameters_and_keeps_the_names():
    w = minigrad.ones(3, requires_grad=True)
    opt = optim.SGD([("weight", w)], lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["weight"]
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["weight"]


# --------------------------------------------------------------- step and zero_grad


def test_zero_grad_sets_gradients_to_none_by_default():
    w = minigrad.ones(3, requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    (w * w).sum().backward()
    opt.zero_grad()
    assert w.grad is None


def test_zero_grad_set_to_none_false_keeps_zero_filled_gradient_tensors():
    w = minigrad.ones(3, dtype=minigrad.float64, requires_grad=True)
    unused = minigrad.ones(2, requires_grad=True)
    opt = optim.SGD([w, unused], lr=0.1)
    (w * w).sum().backward()
    grad = w.grad
    opt.zero_grad(set_to_none=False)
    assert w.grad is grad and w.grad.dtype == minigrad.float64
    assert w.grad.tolist() == [0.0, 0.0, 0.0]
    assert unused.grad is None  # never had one: stays None
    (3 * w).sum().backward()
    assert w.grad.tolist() == [3.0, 3.0, 3.0]


def test_params_without_gradient_are_skipped_and_get_no_state():
    used = minigrad.ones(2, requires_grad=True)
    unused = minigrad.full((2,), 5.0, requires_grad=True)
    opt = optim.Adam([used, unused], lr=0.1)
    (used * used).sum().backward()
    opt.step()
    assert unused.tolist() == [5.0, 5.0]
    assert used.tolist() != [1.0, 1.0]
    assert unused not in opt.state and len(opt.state[used]) == 3


def test_step_updates_in_place_and_bumps_the_version_counter():
    w = minigrad.ones(3, requires_grad=True)
    data, version = w._data, w._version
    opt = optim.SGD([w], lr=0.1, momentum=0.9)
    (w * w).sum().backward()
    opt.step()
    assert w._data is data
    assert w._version == version + 1


def test_backward_through_a_graph_that_saved_a_parameter_stepped_since_raises():
    w = minigrad.ones(3, requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    (w * 2).sum().backward()
    y = (w * w).sum()  # saves w for its backward
    opt.step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_step_with_a_closure_returns_its_loss_and_enables_grad():
    w = minigrad.ones(3, dtype=minigrad.float64, requires_grad=True)
    opt = optim.SGD([w], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with minigrad.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 3.0
    assert w.tolist() == [0.8, 0.8, 0.8]


@pytest.mark.parametrize("make", [lambda p: optim.SGD(p, lr=0.1, momentum=0.9),
                                  lambda p: optim.Adam(p, amsgrad=True),
                                  lambda p: optim.AdamW(p)], ids=["sgd", "adam", "adamw"])
def test_float32_parameters_and_state_stay_float32_on_their_device(make, device):
    w = minigrad.randn(4, 3, device=device, requires_grad=True)
    opt = make([w])
    for _ in range(2):
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()
    assert w.dtype == minigrad.float32 and w.device == minigrad.device(device)
    for key, value in opt.state[w].items():
        if key == "step":
            assert value.device == minigrad.device("cpu") and value.item() == 2.0
        else:
            assert value.dtype == minigrad.float32 and value.device == w.device, key


def test_repr_lists_each_group_like_torch():
    w = minigrad.ones(2, requires_grad=True)
    text = repr(optim.SGD([w], lr=0.1, momentum=0.9))
    assert text.startswith("SGD (\nParameter Group 0\n")
    assert "    lr: 0.1\n" in text and "    momentum: 0.9\n" in text and text.endswith(")")


# ---------------------------------------------------------------------- state dicts


def test_state_dict_has_torchs_layout_and_values():
    init, batches = make_problem()
    make = lambda o, p: o.Adam([{"params": [p["W1"], p["b1"]]},  # noqa: E731
                                {"params": [p["W2"], p["b2"]], "lr": 0.01}], amsgrad=True)
    _, mine = train(minigrad, make, init, batches, steps=3)
    _, ref = train(torch, make, init, batches, steps=3)
    sd, tsd = mine.state_dict(), ref.state_dict()
    assert list(sd) == ["state", "param_groups"]
    assert list(sd["state"]) == list(tsd["state"]) == [0, 1, 2, 3]
    for i in range(4):
        assert list(sd["state"][i]) == list(tsd["state"][i])
        assert sd["state"][i]["step"].item() == tsd["state"][i]["step"].item() == 3.0
        for key in ("exp_avg", "exp_avg_sq", "max_exp_avg_sq"):
            assert rel_err(sd["state"][i][key], tsd["state"][i][key]) < 1e-12
    for group, tgroup in zip(sd["param_groups"], tsd["param_groups"]):
        assert group["params"] == tgroup["params"]
        for key, value in group.items():
            if key != "decoupled_weight_decay" or key in tgroup:
                assert tgroup[key] == value, key


def test_sgd_state_dict_holds_momentum_buffers_only_with_momentum():
    w = minigrad.ones(2, requires_grad=True)
    for momentum, keys in ((0.0, []), (0.9, ["momentum_buffer"])):
        opt = optim.SGD([w], lr=0.1, momentum=momentum)
        (w * w).sum().backward()
        opt.step()
        w.grad = None
        state = opt.state_dict()["state"]
        assert [list(s) for s in state.values()] == ([keys] if keys else [])


@pytest.mark.parametrize("make", [lambda o, p: o.SGD(p.values(), lr=0.05, momentum=0.9,
                                                     nesterov=True, weight_decay=0.01),
                                  lambda o, p: o.Adam(p.values(), lr=0.02, amsgrad=True),
                                  lambda o, p: o.AdamW(p.values(), lr=0.02)],
                         ids=["sgd", "adam", "adamw"])
def test_load_state_dict_resumes_bit_identically(make):
    init, batches = make_problem()
    straight, _ = train(minigrad, make, init, batches)

    first, opt = train(minigrad, make, init, batches, steps=10)
    saved_params = {k: v.detach().numpy().copy() for k, v in first.items()}
    saved_state = opt.state_dict()
    resumed = params_of(minigrad, saved_params)
    opt2 = make(optim, resumed)
    opt2.load_state_dict(saved_state)
    for x, y in batches[10:]:
        opt2.zero_grad()
        mlp_loss(resumed, data_of(minigrad, x), data_of(minigrad, y)).backward()
        opt2.step()
    for k in init:
        assert np.array_equal(resumed[k].data, straight[k].data), k


def test_loaded_state_is_shared_with_the_source_optimizer_as_in_torch():
    # torch's load_state_dict keeps the very state tensors when no move or cast is needed,
    # so a step of the source optimizer shows in the loaded one (step 2, like torch's)
    w = minigrad.ones(2, dtype=minigrad.float64, requires_grad=True)
    opt = optim.Adam([w])
    (w * w).sum().backward()
    opt.step()
    other = optim.Adam([minigrad.ones(2, dtype=minigrad.float64, requires_grad=True)])
    other.load_state_dict(opt.state_dict())
    (w * w).sum().backward()
    opt.step()
    assert other.state_dict()["state"][0]["step"].item() == 2.0
    assert other.state_dict()["state"][0]["exp_avg"] is opt.state[w]["exp_avg"]


def test_load_state_dict_restores_hyper_parameters_and_casts_state_to_the_param_dtype():
    w64 = minigrad.ones(2, dtype=minigrad.float64, requires_grad=True)
    opt = optim.SGD([w64], lr=0.3, momentum=0.9)
    (w64 * w64).sum().backward()
    opt.step()
    w32 = minigrad.ones(2, requires_grad=True)
    opt32 = optim.SGD([w32], lr=0.1)
    opt32.load_state_dict(opt.state_dict())
    assert opt32.param_groups[0]["lr"] == 0.3 and opt32.param_groups[0]["momentum"] == 0.9
    assert opt32.param_groups[0]["params"][0] is w32
    assert opt32.state[w32]["momentum_buffer"].dtype == minigrad.float32


def test_adamw_stays_decoupled_after_loading_an_adam_state_dict():
    w = minigrad.ones(2, requires_grad=True)
    opt = optim.AdamW([w])
    opt.load_state_dict(optim.Adam([minigrad.ones(2, requires_grad=True)]).state_dict())
    assert opt.param_groups[0]["decoupled_weight_decay"] is True


def test_torch_state_dict_round_trips_through_minigrad_format():
    """A state dict from torch (converted tensor by tensor) loads and steps identically."""
    init, batches = make_problem()
    make = lambda o, p: o.Adam(p.values(), lr=0.02)  # noqa: E731
    mine, opt = train(minigrad, make, init, batches, steps=5)
    ref, topt = train(torch, make, init, batches, steps=5)
    tsd = topt.state_dict()
    converted = {"state": {i: {k: minigrad.tensor(v.numpy()) for k, v in s.items()}
                           for i, s in tsd["state"].items()},
                 "param_groups": tsd["param_groups"]}
    fresh = params_of(minigrad, {k: v.detach().numpy() for k, v in ref.items()})
    opt2 = make(optim, fresh)
    opt2.load_state_dict(converted)
    for x, y in batches[5:]:
        for lib, p, o in ((minigrad, fresh, opt2), (torch, ref, topt)):
            o.zero_grad()
            mlp_loss(p, data_of(lib, x), data_of(lib, y)).backward()
            o.step()
    assert max(rel_err(fresh[k], ref[k]) for k in init) < RTOL


# --------------------------------------------------------------------------- errors


def both_raise(make, error):
    """The call raises ``error`` in both frameworks and minigrad's message contains torch's
    (with "torch" read as "minigrad")."""
    with pytest.raises(error) as ref:
        make(torch)
    with pytest.raises(error) as mine:
        make(minigrad)
    assert str(ref.value).replace("torch", "minigrad") in str(mine.value)
    return str(mine.value)


def leaf(lib, *shape):
    return (torch if lib is torch else minigrad).ones(*shape, requires_grad=True)


ERROR_CASES = {
    "empty_parameter_list": (lambda lib: lib.optim.SGD([], lr=0.1), ValueError),
    "non_leaf_tensor": (lambda lib: lib.optim.Adam([leaf(lib, 2) * 2]), ValueError),
    "negative_lr_sgd": (lambda lib: lib.optim.SGD([leaf(lib, 2)], lr=-1), ValueError),
    "negative_lr_adam": (lambda lib: lib.optim.Adam([leaf(lib, 2)], lr=-1), ValueError),
    "negative_lr_adamw": (lambda lib: lib.optim.AdamW([leaf(lib, 2)], lr=-0.5), ValueError),
    "negative_momentum": (lambda lib: lib.optim.SGD([leaf(lib, 2)], momentum=-0.1), ValueError),
    "negative_weight_decay": (lambda lib: lib.optim.SGD([leaf(lib, 2)], weight_decay=-1),
                              ValueError),
    "nesterov_without_momentum": (lambda lib: lib.optim.SGD([leaf(lib, 2)], nesterov=True),
                                  ValueError),
    "nesterov_with_dampening": (lambda lib: lib.optim.SGD([leaf(lib, 2)], momentum=0.9,
                                                          dampening=0.1, nesterov=True),
                                ValueError),
    "beta1_of_one": (lambda lib: lib.optim.Adam([leaf(lib, 2)], betas=(1.0, 0.999)), ValueError),
    "negative_beta2": (lambda lib: lib.optim.Adam([leaf(lib, 2)], betas=(0.9, -0.1)),
                       ValueError),
    "negative_eps": (lambda lib: lib.optim.Adam([leaf(lib, 2)], eps=-1e-8), ValueError),
    "adam_negative_weight_decay": (lambda lib: lib.optim.Adam([leaf(lib, 2)], weight_decay=-1),
                                   ValueError),
    "a_single_tensor_instead_of_an_iterable": (lambda lib: lib.optim.SGD(leaf(lib, 2)),
                                               TypeError),
    "a_set_of_parameters": (lambda lib: lib.optim.SGD([{"params": {leaf(lib, 2)}}]), TypeError),
    "a_parameter_in_two_groups": (lambda lib: (lambda w: lib.optim.SGD(
        [{"params": [w]}, {"params": [w]}]))(leaf(lib, 2)), ValueError),
    "param_group_not_a_dict": (lambda lib: lib.optim.SGD([leaf(lib, 2)]).add_param_group(
        [leaf(lib, 2)]), TypeError),
    "mismatched_group_size_on_load": (lambda lib: lib.optim.SGD([leaf(lib, 2)]).load_state_dict(
        lib.optim.SGD([leaf(lib, 2), leaf(lib, 3)]).state_dict()), ValueError),
    "mismatched_group_count_on_load": (lambda lib: lib.optim.SGD([leaf(lib, 2)]).load_state_dict(
        lib.optim.SGD([{"params": [leaf(lib, 2)]}, {"params": [leaf(lib, 2)]}]).state_dict()),
        ValueError),
}


@pytest.mark.parametrize("case", ERROR_CASES.values(), ids=ERROR_CASES.keys())
def test_misuse_raises_the_same_error_as_torch(case):
    make, error = case
    both_raise(make, error)


def test_invalid_learning_rate_message_names_the_value():
    assert both_raise(lambda lib: lib.optim.SGD([leaf(lib, 2)], lr=-1), ValueError) \
        == "Invalid learning rate: -1"


def test_mismatched_group_size_message_gives_both_sizes():
    msg = both_raise(ERROR_CASES["mismatched_group_size_on_load"][0], ValueError)
    assert "[2]" in msg and "[1]" in msg


def test_load_state_dict_with_a_wrongly_shaped_state_tensor_names_it():
    source = optim.SGD([minigrad.ones(3, requires_grad=True)], lr=0.1, momentum=0.9)
    source.param_groups[0]["params"][0].grad = minigrad.ones(3)
    source.step()
    target = optim.SGD([minigrad.ones(2, 2, requires_grad=True)], lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match=r"'momentum_buffer' of shape \[3\] for parameter 0, "
                                         r"whose shape is \[2, 2\]"):
        target.load_state_dict(source.state_dict())


def test_base_optimizer_step_is_abstract():
    opt = optim.Optimizer([minigrad.ones(1, requires_grad=True)], {"lr": 0.1})
    with pytest.raises(NotImplementedError):
        opt.step()


# --------------------------------------------------------------------- LR schedules

SCHEDULES = {
    "step_lr": lambda s, o: s.StepLR(o, step_size=3, gamma=0.5),
    "step_lr_default_gamma": lambda s, o: s.StepLR(o, step_size=4),
    "multi_step_lr": lambda s, o: s.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.3),
    "exponential_lr": lambda s, o: s.ExponentialLR(o, gamma=0.9),
    "lambda_lr": lambda s, o: s.LambdaLR(o, lambda epoch: 1 / (1 + epoch)),
}


def lr_history(lib, make_schedule, epochs=20):
    w = leaf(lib, 2)
    opt = lib.optim.SGD([{"params": [w]}, {"params": [leaf(lib, 1)], "lr": 0.7}], lr=0.1)
    sched = make_schedule(lib.optim.lr_scheduler, opt)
    history = [sched.get_last_lr()]
    for _ in range(epochs):
        opt.step()
        sched.step()
        history.append(sched.get_last_lr())
        assert history[-1] == [g["lr"] for g in opt.param_groups]
    return history


@pytest.mark.parametrize("make", SCHEDULES.values(), ids=SCHEDULES.keys())
def test_lr_schedule_matches_torch_exactly(make):
    assert lr_history(minigrad, make) == lr_history(torch, make)


def test_step_lr_state_dict_resumes_the_schedule():
    w = leaf(minigrad, 2)
    opt = optim.SGD([w], lr=1.0)
    sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    for _ in range(3):
        opt.step()
        sched.step()
    state = sched.state_dict()
    assert state["last_epoch"] == 3 and "optimizer" not in state
    opt2 = optim.SGD([leaf(minigrad, 2)], lr=1.0)
    sched2 = optim.lr_scheduler.StepLR(opt2, step_size=2, gamma=0.5)
    opt2.load_state_dict(opt.state_dict())
    sched2.load_state_dict(state)
    for _ in range(4):
        for o, s in ((opt, sched), (opt2, sched2)):
            o.step()
            s.step()
    assert sched2.get_last_lr() == sched.get_last_lr() == [0.125]


def test_scheduler_stepped_before_the_optimizer_warns_like_torch():
    for lib in (torch, minigrad):
        opt = lib.optim.SGD([leaf(lib, 2)], lr=0.1)
        sched = lib.optim.lr_scheduler.StepLR(opt, step_size=1)
        with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
            sched.step()


def test_scheduler_stepped_after_the_optimizer_does_not_warn():
    opt = optim.SGD([leaf(minigrad, 2)], lr=0.1)
    sched = optim.lr_scheduler.StepLR(opt, step_size=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
        sched.step()


def test_scheduler_rejects_something_that_is_not_an_optimizer():
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        optim.lr_scheduler.StepLR([], step_size=1)


# ------------------------------------------------------- lockstep on nn modules

def _nn_layers_ready():
    try:
        import minigrad.nn as nn
        import minigrad.nn.functional as F
    except ImportError:
        return False
    return all(hasattr(nn, n) for n in ("Linear", "Conv2d", "MaxPool2d", "Flatten", "ReLU",
                                        "Sequential")) and hasattr(F, "cross_entropy")


nn_ready = pytest.mark.skipif(not _nn_layers_ready(), reason="minigrad.nn layers not written yet")


def mlp(nn):
    return nn.Sequential(nn.Linear(20, 16), nn.ReLU(), nn.Linear(16, 10))


def cnn(nn):
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(4 * 4 * 4, 10))


MODULE_OPTIMIZERS = {
    "sgd_momentum": lambda o, p: o.SGD(p, lr=0.05, momentum=0.9),
    "sgd_nesterov_weight_decay": lambda o, p: o.SGD(p, lr=0.05, momentum=0.9, nesterov=True,
                                                    weight_decay=5e-3),
    "adam": lambda o, p: o.Adam(p, lr=0.01),
    "adamw": lambda o, p: o.AdamW(p, lr=0.01, weight_decay=0.05),
}


@nn_ready
@pytest.mark.parametrize("make_opt", MODULE_OPTIMIZERS.values(), ids=MODULE_OPTIMIZERS.keys())
@pytest.mark.parametrize("net,input_shape", [(mlp, (8, 20)), (cnn, (8, 1, 8, 8))],
                         ids=["mlp", "cnn"])
def test_modules_trained_in_lockstep_match_torch(net, input_shape, make_opt):
    torch.manual_seed(0)
    ref = net(torch.nn).double()
    mine = net(minigrad.nn).double()
    with minigrad.no_grad():
        for (name, p), (tname, tp) in zip(mine.named_parameters(), ref.named_parameters()):
            assert name == tname and tuple(p.shape) == tuple(tp.shape)
            p.copy_(minigrad.tensor(tp.detach().numpy()))
    start = [tp.detach().numpy().copy() for tp in ref.parameters()]
    opt, topt = make_opt(optim, mine.parameters()), make_opt(torch.optim, ref.parameters())
    rng = np.random.default_rng(1)
    for _ in range(STEPS):
        x = rng.standard_normal(input_shape)
        y = rng.integers(0, 10, size=input_shape[0])
        for lib, model, o in ((minigrad, mine, opt), (torch, ref, topt)):
            o.zero_grad()
            out = model(data_of(lib, x))
            target = lib.tensor(y) if lib is minigrad else torch.tensor(y)
            lib.nn.functional.cross_entropy(out, target).backward()
            o.step()
    errors = {name: rel_err(p, tp) for (name, p), (_, tp)
              in zip(mine.named_parameters(), ref.named_parameters())}
    assert max(errors.values()) < RTOL, errors
    assert max(rel_err(tp, s) for tp, s in zip(ref.parameters(), start)) > 1e-3


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_on_a_tensor_larger_than_one_cache_piece_matches_torch(amsgrad, monkeypatch):
    """Large tensors are updated piece by piece (cpu_speed.cache_sized_pieces): the numbers
    are bit-identical to one whole-array update, and agree with torch."""
    import torch
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((300, 250))  # 75,000 elements: three pieces of 32,768
    grads = [rng.standard_normal(w0.shape) for _ in range(5)]

    def run_minigrad():
        p = minigrad.tensor(w0, requires_grad=True)
        opt = minigrad.optim.Adam([p], lr=0.01, weight_decay=0.1, amsgrad=amsgrad)
        for g in grads:
            p.grad = minigrad.tensor(g)
            opt.step()
        return p.detach().numpy()

    pieces = run_minigrad()
    whole_fn = minigrad.cpu_speed.cache_sized_pieces
    monkeypatch.setattr(minigrad.cpu_speed, "cache_sized_pieces",
                        lambda *arrays: whole_fn(*arrays, size=10 ** 9))
    whole = run_minigrad()
    assert np.array_equal(pieces, whole)

    q = torch.tensor(w0, requires_grad=True)
    opt_t = torch.optim.Adam([q], lr=0.01, weight_decay=0.1, amsgrad=amsgrad, foreach=False)
    for g in grads:
        q.grad = torch.tensor(g)
        opt_t.step()
    # torch fuses multiply-adds on this CPU: agreement to rounding, not to the bit
    np.testing.assert_allclose(pieces, q.detach().numpy(), rtol=1e-12, atol=1e-15)


# ------------------------------------------------------------------- denormals


def _flushes_here():
    if not minigrad.cpu_speed.set_flush_denormal(False):
        pytest.skip("flush-to-zero is only available on x86-64 Linux with glibc")


def test_denormals_flushed_flushes_inside_and_restores_the_mode_after():
    _flushes_here()
    tiny = np.array([1e-40], dtype=np.float32)  # a float32 denormal
    with minigrad.cpu_speed.denormals_flushed():
        assert (tiny * np.float32(1.0))[0] == 0
    assert (tiny * np.float32(1.0))[0] == tiny[0]
    minigrad.set_flush_denormal(True)  # a user's own global setting survives the block
    try:
        with minigrad.cpu_speed.denormals_flushed():
            pass
        assert (tiny * np.float32(1.0))[0] == 0
    finally:
        minigrad.set_flush_denormal(False)


@pytest.mark.parametrize("make", [lambda p: optim.Adam(p, lr=1e-3),
                                  lambda p: optim.SGD(p, lr=0.1, momentum=0.9)],
                         ids=["Adam", "SGD-momentum"])
def test_a_weight_whose_gradient_stays_zero_ends_with_state_zero_not_a_stuck_denormal(make):
    """A dead unit's running average decays 0.9x per step. Unflushed (torch) it sticks at
    the smallest denormal (1.4e-45 * 0.9 rounds back to it) and slows every later step;
    minigrad's optimizers flush denormals, so it stops at 0 or just above the denormal
    range, where arithmetic is fast. Both weights end exactly as in torch."""
    _flushes_here()
    w = minigrad.tensor(np.array([0.5, 0.5], dtype=np.float32), requires_grad=True)
    ref = torch.tensor([0.5, 0.5], requires_grad=True)
    opt = make([w])
    opt_t = (torch.optim.Adam([ref], lr=1e-3, foreach=False) if isinstance(opt, optim.Adam)
             else torch.optim.SGD([ref], lr=0.1, momentum=0.9, foreach=False))
    for step in range(1500):
        g = np.array([1e-3 if step == 0 else 0.0, 1e-3], dtype=np.float32)
        w.grad, ref.grad = minigrad.tensor(g), torch.tensor(g)
        opt.step()
        opt_t.step()
    key = "exp_avg" if isinstance(opt, optim.Adam) else "momentum_buffer"
    mine, theirs = opt.state[w][key].numpy(), opt_t.state[ref][key].numpy()
    assert theirs[0] != 0 and abs(theirs[0]) < np.finfo(np.float32).tiny  # torch: stuck
    assert mine[0] == 0 or abs(mine[0]) >= np.finfo(np.float32).tiny
    np.testing.assert_array_equal(w.detach().numpy(), ref.detach().numpy())
