"""RMSprop, Adagrad, Adadelta, Adamax, NAdam and RAdam against torch.optim: the same
parameters after 25 float64 steps (1e-9 relative), the same state, the same state_dict
layout and round trip, the same errors."""
import numpy as np
import pytest
import torch

import minigrad
from test_optim import RTOL, lockstep, make_problem, rel_err, to_numpy, train

CONFIGS = {
    "RMSprop": [dict(), dict(lr=0.01, alpha=0.9, eps=1e-6), dict(lr=0.005, momentum=0.9),
                dict(lr=0.005, centered=True), dict(lr=0.003, centered=True, momentum=0.5,
                                                    weight_decay=0.1),
                dict(lr=0.01, maximize=True, alpha=0.3)],
    "Adagrad": [dict(), dict(lr=0.1, lr_decay=0.05), dict(lr=0.1, initial_accumulator_value=0.5),
                dict(lr=0.05, weight_decay=0.1, eps=1e-6), dict(lr=0.05, maximize=True)],
    "Adadelta": [dict(), dict(lr=0.5, rho=0.5), dict(lr=2.0, weight_decay=0.1, eps=1e-4),
                 dict(maximize=True)],
    "Adamax": [dict(), dict(lr=0.05), dict(lr=0.02, betas=(0.3, 0.9), weight_decay=0.1),
               dict(lr=0.01, maximize=True, eps=1e-4)],
    "NAdam": [dict(), dict(lr=0.05), dict(lr=0.02, momentum_decay=0.05, weight_decay=0.1),
              dict(lr=0.02, weight_decay=0.1, decoupled_weight_decay=True),
              dict(lr=0.01, betas=(0.3, 0.9), maximize=True)],
    "RAdam": [dict(), dict(lr=0.05), dict(lr=0.02, weight_decay=0.1),
              dict(lr=0.02, weight_decay=0.1, decoupled_weight_decay=True),
              dict(lr=0.01, betas=(0.3, 0.8), maximize=True)],  # short warm-up: rho_t > 5 soon
}
CASES = [(name, config) for name, configs in CONFIGS.items() for config in configs]


@pytest.mark.parametrize("name,config", CASES,
                         ids=[f"{n}-{'-'.join(f'{k}={v}' for k, v in c.items()) or 'defaults'}"
                              for n, c in CASES])
def test_optimizer_matches_torch_after_25_steps(name, config, device):
    assert lockstep(lambda o, p: getattr(o, name)(p.values(), **config), device) < RTOL


@pytest.mark.parametrize("name,config", [(n, c[-2]) for n, c in CONFIGS.items()])
def test_optimizer_state_matches_torchs_keys_and_values(name, config):
    init, batches = make_problem()
    _, mine = train(minigrad, lambda o, p: getattr(o, name)(p.values(), **config), init,
                    batches, steps=7)
    _, ref = train(torch, lambda o, p: getattr(o, name)(p.values(), **config), init, batches,
                   steps=7)
    mine_sd, ref_sd = mine.state_dict(), ref.state_dict()
    assert mine_sd["param_groups"] == ref_sd["param_groups"]
    assert mine_sd["state"].keys() == ref_sd["state"].keys()
    for i, ref_state in ref_sd["state"].items():
        assert list(mine_sd["state"][i]) == list(ref_state)
        for key, value in ref_state.items():
            assert mine_sd["state"][i][key].dtype.name == str(value.dtype).split(".")[1], key
            assert rel_err(mine_sd["state"][i][key], value) < RTOL, key


def resumed_run(lib, name, config, init, batches, split=5, steps=10):
    """Train ``split`` steps, save the parameters and the optimizer's state_dict, load both
    into a fresh optimizer and go on to ``steps``; returns the final parameters."""
    from test_optim import data_of, mlp_loss, params_of
    first, opt = train(lib, lambda o, p: getattr(o, name)(p.values(), **config), init,
                       batches, steps=split)
    params = params_of(lib, {k: to_numpy(v) for k, v in first.items()})
    resumed = getattr(lib.optim, name)(params.values(), **config)
    resumed.load_state_dict(opt.state_dict())
    for x, y in batches[split:steps]:
        resumed.zero_grad()
        mlp_loss(params, data_of(lib, x), data_of(lib, y)).backward()
        resumed.step()
    return params


@pytest.mark.parametrize("name", CONFIGS)
def test_optimizer_state_dict_round_trip_resumes_like_torch(name):
    init, batches = make_problem()
    config = CONFIGS[name][-2]
    mine = resumed_run(minigrad, name, config, init, batches)
    ref = resumed_run(torch, name, config, init, batches)
    for k in mine:
        assert rel_err(mine[k], ref[k]) < RTOL
    if name != "NAdam":  # (a loaded NAdam keeps mu_product in float64, torch's too)
        straight, _ = train(minigrad, lambda o, p: getattr(o, name)(p.values(), **config), init,
                            batches, steps=10)
        for k in mine:
            np.testing.assert_array_equal(to_numpy(mine[k]), to_numpy(straight[k]))


MISUSE = [
    ("RMSprop", dict(lr=-1.0), "Invalid learning rate: -1.0"),
    ("RMSprop", dict(alpha=-0.1), "Invalid alpha value: -0.1"),
    ("RMSprop", dict(momentum=-0.5), "Invalid momentum value: -0.5"),
    ("Adagrad", dict(lr_decay=-1), "Invalid lr_decay value: -1"),
    ("Adagrad", dict(initial_accumulator_value=-1),
     "Invalid initial_accumulator_value value: -1"),
    ("Adadelta", dict(rho=1.5), "Invalid rho value: 1.5"),
    ("Adamax", dict(betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
    ("NAdam", dict(momentum_decay=-1), "Invalid momentum_decay value: -1"),
    ("RAdam", dict(eps=-1), "Invalid epsilon value: -1"),
    ("RAdam", dict(betas=(0.9, 1.0)), "Invalid beta parameter at index 1: 1.0"),
]


@pytest.mark.parametrize("name,kwargs,message", MISUSE)
def test_invalid_hyper_parameters_raise_torchs_error(name, kwargs, message):
    for lib in (torch, minigrad):
        with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
            getattr(lib.optim, name)([lib.zeros(2, requires_grad=True)], **kwargs)


def test_adagrad_creates_its_state_at_construction_like_torch():
    for lib in (torch, minigrad):
        opt = lib.optim.Adagrad([lib.zeros(2, requires_grad=True)],
                                initial_accumulator_value=0.3)
        state = opt.state_dict()["state"][0]
        assert list(state) == ["step", "sum"]
        assert float(state["step"]) == 0.0
        np.testing.assert_allclose(to_numpy(state["sum"]), 0.3, rtol=1e-7)


def test_new_optimizers_keep_float32_parameters_and_state_float32(device):
    for name in CONFIGS:
        w = minigrad.randn(3, device=device, requires_grad=True)
        opt = getattr(minigrad.optim, name)([w], **CONFIGS[name][-2])
        (w * w).sum().backward()
        opt.step()
        assert w.dtype == minigrad.float32, name
        for key, value in opt.state[w].items():
            assert value.dtype == minigrad.float32, (name, key)
