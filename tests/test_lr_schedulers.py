"""The learning-rate schedules against torch.optim.lr_scheduler: the same lr (and, for
OneCycleLR, momentum/beta1) in every param group after every step, bit for bit, and
state_dict round trips that resume the schedule."""
import math

import pytest
import torch

import minigrad


def leaf(lib, n):
    return lib.zeros(n, requires_grad=True)


def optimizer(lib, kind="SGD"):
    groups = [{"params": [leaf(lib, 2)]}, {"params": [leaf(lib, 1)], "lr": 0.7}]
    if kind == "Adam":
        return lib.optim.Adam(groups, lr=0.1)
    return lib.optim.SGD(groups, lr=0.1, momentum=0.9)


def sequential(s, o):
    return s.SequentialLR(o, [s.LinearLR(o, start_factor=0.1, total_iters=4),
                              s.CosineAnnealingLR(o, T_max=6),
                              s.ConstantLR(o, factor=0.5, total_iters=3)], milestones=[4, 12])


SCHEDULES = {
    "multiplicative": lambda s, o: s.MultiplicativeLR(o, lambda epoch: 0.95 ** (epoch % 3)),
    "multiplicative_per_group": lambda s, o: s.MultiplicativeLR(o, [lambda e: 0.9,
                                                                    lambda e: 1.01]),
    "constant": lambda s, o: s.ConstantLR(o),
    "constant_half_for_3": lambda s, o: s.ConstantLR(o, factor=0.5, total_iters=3),
    "linear_warmup": lambda s, o: s.LinearLR(o),
    "linear_decay": lambda s, o: s.LinearLR(o, start_factor=1.0, end_factor=0.05,
                                            total_iters=12),
    "cosine": lambda s, o: s.CosineAnnealingLR(o, T_max=7),
    "cosine_eta_min_past_T_max": lambda s, o: s.CosineAnnealingLR(o, T_max=5, eta_min=0.01),
    "warm_restarts": lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=4),
    "warm_restarts_T_mult": lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2,
                                                                       eta_min=0.001),
    "one_cycle_cos": lambda s, o: s.OneCycleLR(o, max_lr=1.0, total_steps=25),
    "one_cycle_linear_per_group": lambda s, o: s.OneCycleLR(
        o, max_lr=[0.5, 2.0], epochs=5, steps_per_epoch=5, anneal_strategy="linear",
        pct_start=0.4),
    "one_cycle_three_phase": lambda s, o: s.OneCycleLR(o, max_lr=0.3, total_steps=25,
                                                       three_phase=True, div_factor=10.0),
    "one_cycle_no_momentum": lambda s, o: s.OneCycleLR(o, max_lr=0.3, total_steps=30,
                                                       cycle_momentum=False),
    "sequential": sequential,
    "multi_step": lambda s, o: s.MultiStepLR(o, milestones=[3, 8], gamma=0.5),
    "lambda": lambda s, o: s.LambdaLR(o, lambda epoch: 1 / (1 + epoch)),
}


def history(lib, make, kind="SGD", epochs=24):
    opt = optimizer(lib, kind)
    sched = make(lib.optim.lr_scheduler, opt)
    seen = [(sched.get_last_lr(), _momenta(opt))]
    for _ in range(epochs):
        opt.step()
        sched.step()
        assert sched.get_last_lr() == [g["lr"] for g in opt.param_groups]
        seen.append((sched.get_last_lr(), _momenta(opt)))
    return seen


def _momenta(opt):
    return [g.get("momentum", g.get("betas")) for g in opt.param_groups]


@pytest.mark.parametrize("make", SCHEDULES.values(), ids=SCHEDULES.keys())
def test_schedule_matches_torch_after_every_step(make):
    assert history(minigrad, make) == history(torch, make)


@pytest.mark.parametrize("name", ["one_cycle_cos", "one_cycle_three_phase"])
def test_one_cycle_drives_adams_beta1_like_torch(name):
    make = SCHEDULES[name]
    assert history(minigrad, make, "Adam") == history(torch, make, "Adam")


def test_warm_restarts_with_fractional_epochs_match_torch():
    def run(lib):
        opt = optimizer(lib)
        sched = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=2)
        out = []
        for epoch in range(8):
            for i in range(4):
                opt.step()
                sched.step(epoch + i / 4)
                out.append(sched.get_last_lr())
        return out

    assert run(minigrad) == run(torch)


def test_one_cycle_refuses_to_step_past_total_steps_like_torch():
    for lib in (torch, minigrad):
        opt = optimizer(lib)
        sched = lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=3)
        for _ in range(2):
            opt.step()
            sched.step()
        opt.step()
        sched.step()
        with pytest.raises(ValueError, match="Tried to step 4 times. The specified number of "
                                             "total steps is 3"):
            sched.step()


PLATEAU = {
    "min_rel": dict(patience=2),
    "min_abs_cooldown": dict(patience=1, threshold=0.05, threshold_mode="abs", cooldown=2,
                             factor=0.5),
    "max_rel_min_lr": dict(mode="max", patience=0, factor=0.3, min_lr=[0.01, 0.2]),
    "max_abs": dict(mode="max", threshold_mode="abs", threshold=0.1, patience=1),
}
METRICS = [1.0, 0.9, 0.95, 0.95, 0.94, 0.99, 0.5, 0.5, 0.6, 0.7, 0.4, 0.41, 0.41, 0.42, 0.3,
           0.3, 0.31, 0.32, 0.33, 0.34]


@pytest.mark.parametrize("kwargs", PLATEAU.values(), ids=PLATEAU.keys())
def test_reduce_lr_on_plateau_matches_torch_after_every_step(kwargs):
    def run(lib):
        opt = optimizer(lib)
        sched = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
        out = []
        for metric in METRICS:
            opt.step()
            sched.step(metric)
            out.append((sched.get_last_lr(), sched.num_bad_epochs, sched.cooldown_counter,
                        sched.best))
        return out

    assert run(minigrad) == run(torch)


def resume(lib, make, split=7, epochs=20):
    """Step ``split`` epochs, save the optimizer's and scheduler's state, load both into
    fresh ones (built first, as a training script does), continue to ``epochs``; returns
    the lrs after the split."""
    opt = optimizer(lib)
    sched = make(lib.optim.lr_scheduler, opt)
    for _ in range(split):
        opt.step()
        sched.step()
    opt2 = optimizer(lib)
    sched2 = make(lib.optim.lr_scheduler, opt2)
    opt2.load_state_dict(opt.state_dict())
    sched2.load_state_dict(sched.state_dict())
    out = []
    for _ in range(epochs - split):
        opt2.step()
        sched2.step()
        out.append(sched2.get_last_lr())
    return out


@pytest.mark.parametrize("name", ["constant_half_for_3", "linear_decay", "cosine",
                                  "warm_restarts_T_mult", "one_cycle_cos", "sequential",
                                  "multiplicative"])
def test_state_dict_round_trip_resumes_the_schedule_like_torch(name):
    make = SCHEDULES[name]
    assert resume(minigrad, make) == resume(torch, make)
    uninterrupted = history(minigrad, make, epochs=20)[8:]
    assert resume(minigrad, make) == [lrs for lrs, _ in uninterrupted]


def test_reduce_lr_on_plateau_state_dict_round_trip():
    opt = optimizer(minigrad)
    sched = minigrad.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=1, mode="max")
    for metric in (1.0, 0.5, 0.5):
        sched.step(metric)
    state = sched.state_dict()
    assert "optimizer" not in state and state["best"] == 1.0
    other = minigrad.optim.lr_scheduler.ReduceLROnPlateau(optimizer(minigrad))
    other.load_state_dict(state)
    assert other.mode == "max" and other.best == 1.0 and other.num_bad_epochs == 0


SCHEDULER_MISUSE = [
    (lambda s, o: s.ConstantLR(o, factor=1.5), ValueError,
     "Constant multiplicative factor expected to be between 0 and 1."),
    (lambda s, o: s.LinearLR(o, start_factor=0), ValueError,
     "Starting multiplicative factor expected to be greater than 0"),
    (lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=0), ValueError,
     "Expected positive integer T_0, but got 0"),
    (lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0), ValueError,
     "Expected integer T_mult >= 1, but got 0"),
    (lambda s, o: s.OneCycleLR(o, max_lr=1.0), ValueError,
     r"You must define either total_steps OR \(epochs AND steps_per_epoch\)"),
    (lambda s, o: s.OneCycleLR(o, max_lr=1.0, total_steps=10, anneal_strategy="exp"),
     ValueError, "anneal_strategy must be one of 'cos' or 'linear'"),
    (lambda s, o: s.OneCycleLR(o, max_lr=[1.0], total_steps=10), ValueError,
     "max_lr must have the same length as optimizer.param_groups"),
    (lambda s, o: s.ReduceLROnPlateau(o, factor=1.0), ValueError, "Factor should be < 1.0."),
    (lambda s, o: s.ReduceLROnPlateau(o, mode="up"), ValueError, "mode up is unknown!"),
    (lambda s, o: s.SequentialLR(o, [s.ConstantLR(o)], milestones=[3]), ValueError,
     "expects number of schedulers provided to be one more than the number of milestone"),
    (lambda s, o: s.MultiplicativeLR(o, 0.5), TypeError,
     "lr_lambda should be a function, but got float"),
]


@pytest.mark.parametrize("make,error,message", SCHEDULER_MISUSE)
def test_scheduler_misuse_raises_torchs_error(make, error, message):
    for lib in (torch, minigrad):
        with pytest.raises(error, match=message):
            make(lib.optim.lr_scheduler, optimizer(lib))
