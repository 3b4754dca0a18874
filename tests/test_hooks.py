"""Hooks as torch runs them: Tensor.register_hook and retain_grad, nn.Module's forward and
full backward hooks, anomaly detection; and gradgradcheck, which finds a wrong second
derivative by finite differences.

Each program runs on minigrad and on torch (float64) and must give the same result.
"""
import pytest

import minigrad
from minigrad.autograd import Function, gradcheck, gradgradcheck
from test_higher_order import T, same_as_torch

pytestmark = pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph")


def values(t):
    return None if t is None else t.tolist()


# ------------------------------------------------------------ tensor hooks


def test_a_leaf_hook_runs_once_on_the_summed_gradient_in_registration_order():
    def program(lib):
        x, seen = T(lib, [1.0, 2.0]), []
        x.register_hook(lambda g: seen.append(("first", g.tolist())) or g * 10)
        x.register_hook(lambda g: seen.append(("second", g.tolist())))
        (x * x + x.exp()).sum().backward()  # three edges reach x
        return seen, x.grad
    seen = same_as_torch(program)[1][0]
    assert [name for name, _ in seen] == ["first", "second"]


def test_a_leaf_hook_also_runs_in_autograd_grad_and_its_replacement_is_returned():
    def program(lib):
        x, seen = T(lib, [1.0, 2.0]), []
        x.register_hook(lambda g: seen.append(g.tolist()) or g * 10)
        return lib.autograd.grad((x * x).sum(), x), seen, x.grad
    assert same_as_torch(program)[1] == ((([20.0, 40.0], False),), [[2.0, 4.0]], None)


def test_a_non_leaf_hook_changes_what_flows_on_and_retain_grad_sees_it_last():
    def program(lib):
        x, seen = T(lib, [1.0, 2.0]), []
        h = x * 3
        h.retain_grad()  # registered first, yet it keeps the gradient after every hook
        h.register_hook(lambda g: g * 10)
        h.register_hook(lambda g: seen.append(g.tolist()))
        (h * h).sum().backward()
        return seen, h.grad, x.grad
    assert same_as_torch(program)[1][1] == ([60.0, 120.0], False)


def test_a_removed_hook_no_longer_runs_and_removing_twice_is_harmless():
    def program(lib):
        x = T(lib, [1.0, 2.0])
        handle = x.register_hook(lambda g: g * 10)
        handle.remove()
        handle.remove()
        (x * x).sum().backward()
        return x.grad
    assert same_as_torch(program)[1] == ([2.0, 4.0], False)


def test_hooks_under_create_graph_see_gradients_that_carry_a_graph():
    def program(lib):
        x, seen = T(lib, [1.0, 2.0]), []
        x.register_hook(lambda g: seen.append(("x", g.requires_grad)))
        h = x * x
        h.register_hook(lambda g: seen.append(("h", g.requires_grad)))  # ones: no graph
        h.sum().backward(create_graph=True)
        return seen
    assert same_as_torch(program)[1] == [("h", False), ("x", True)]


def test_a_hook_that_returns_a_tensor_with_a_graph_is_differentiated_through():
    def program(lib):
        x = T(lib, [1.0, 2.0])
        h = x * x * x
        h.register_hook(lambda g: g * x)  # the replacement depends on x
        g, = lib.autograd.grad(h.sum(), x, create_graph=True)  # 3 x^2 * x
        return g, lib.autograd.grad(g.sum(), x)  # 9 x^2
    assert same_as_torch(program)[1][1] == (([9.0, 36.0], False),)


@pytest.mark.parametrize("case", ["changes the size", "returns a number", "needs no grad"])
def test_hook_misuse_raises_torchs_error(case):
    def program(lib):
        x = T(lib, [1.0, 2.0], requires_grad=case != "needs no grad")
        x.register_hook((lambda g: g.sum()) if case == "changes the size" else (lambda g: 3))
        (x * x).sum().backward()
    same_as_torch(program, message_prefix_only=case == "changes the size")


# ------------------------------------------------------------ module hooks


def test_full_backward_hooks_see_grad_input_per_positional_argument_and_grad_output():
    def program(lib):
        class Scale(lib.nn.Module):
            def forward(self, x, k, y):
                return x * k * y

        m, seen = Scale(), []
        m.register_full_backward_pre_hook(
            lambda mod, go: seen.append(("pre", [g.tolist() for g in go])))
        m.register_full_backward_hook(lambda mod, gi, go: seen.append(
            ("hook", [values(g) for g in gi], [g.tolist() for g in go])))
        x, y = T(lib, [1.0, 2.0]), T(lib, [3.0, 4.0], requires_grad=False)
        m(x, 2.0, y).sum().backward()
        return seen
    # None for the number, zeros for the tensor that needs no gradient
    assert same_as_torch(program)[1] == [("pre", [[1.0, 1.0]]),
                                         ("hook", [[6.0, 8.0], None, [0.0, 0.0]], [[1.0, 1.0]])]


class _Several:
    """What a module's forward may return: several tensors, numbers among them, an integer
    tensor, a tensor that needs no gradient, mixed float dtypes, or a list."""

    @staticmethod
    def forward(lib, kind, x, y):
        return {"pair": lambda: (x * 2, x * y),
                "with a number": lambda: (x * 2, 3, y * y),
                "with an int tensor": lambda: (x * 2, lib.tensor([1, 2])),
                "with a constant": lambda: (x * 2, lib.ones(2, dtype=lib.float64)),
                "float32 and float64": lambda: (x * 2, (y * 3).float()),
                "a list": lambda: [x * 2, y * 3],
                "one output of two inputs": lambda: (x * 2,)}[kind]()


def several_outputs(kind, use, replace=None, create_graph=False):
    def program(lib):
        class Module(lib.nn.Module):
            def forward(self, x, y):
                return _Several.forward(lib, kind, x, y)

        m, seen = Module(), []

        def pre(mod, go):
            seen.append(("pre", [values(g) for g in go]))
            if replace == "grad_output":
                return tuple(None if g is None else g * 10 for g in go)

        def hook(mod, gi, go):
            seen.append(("hook", [values(g) for g in gi], [values(g) for g in go],
                         [g.requires_grad for g in gi if g is not None]))
            if replace == "grad_input":
                return tuple(None if g is None else g * 100 for g in gi)
        m.register_full_backward_pre_hook(pre)
        m.register_full_backward_hook(hook)
        x, y = T(lib, [1.0, 2.0]), T(lib, [3.0, 4.0])
        outs = [o for o in m(x, y) if isinstance(o, lib.Tensor) and o.is_floating_point()]
        loss = {"all": lambda: sum((o.double() * (i + 1)).sum() for i, o in enumerate(outs)),
                "the first": lambda: outs[0].sum(), "the second": lambda: outs[1].sum()}[use]()
        if not create_graph:
            loss.backward()
            return seen, x.grad, y.grad
        gx, gy = lib.autograd.grad(loss * loss, [x, y], create_graph=True, allow_unused=True,
                                   materialize_grads=True)
        return seen, gx, gy, lib.autograd.grad((gx * gx).sum() + (gy * gy).sum(), [x, y])
    return program


@pytest.mark.parametrize("kind, use", [
    ("pair", "all"), ("pair", "the first"), ("pair", "the second"), ("with a number", "all"),
    ("with an int tensor", "the first"), ("with a constant", "all"),
    ("float32 and float64", "all"), ("a list", "all"), ("one output of two inputs", "the first")])
@pytest.mark.parametrize("replace", [None, "grad_output", "grad_input"])
def test_full_backward_hooks_of_a_module_with_several_outputs_see_what_torch_shows(kind, use,
                                                                                 replace):
    # grad_output: one per output (None for a number, an integer or constant tensor, or an
    # output that got no gradient); grad_input: zeros for an input that got none; the hooks
    # run once per backward, and may replace either (here several inputs: all of them); a
    # list output calls no hooks
    same_as_torch(several_outputs(kind, use, replace))


@pytest.mark.parametrize("kind, use", [("pair", "all"), ("pair", "the first"),
                                       ("with a number", "all")])
@pytest.mark.parametrize("replace", [None, "grad_output", "grad_input"])
def test_full_backward_hooks_of_several_outputs_under_create_graph_match_torch(kind, use,
                                                                              replace):
    # the hooks see gradients with a graph (and run again in the second backward, which
    # passes the module's graph once more); second derivatives through replaced gradients
    same_as_torch(several_outputs(kind, use, replace, create_graph=True))


def linear(lib, weights=(2.0, 3.0), bias=True):
    layer = lib.nn.Linear(2, 1, bias=bias).double()
    with lib.no_grad():
        layer.weight.copy_(lib.tensor([list(weights)], dtype=lib.float64))
        if bias:
            layer.bias.zero_()
    return layer


@pytest.mark.parametrize("which", ["grad_input", "grad_output"])
def test_backward_hooks_may_replace_the_gradient(which):
    def program(lib):
        layer = linear(lib)
        if which == "grad_input":  # only what flows to the input changes
            layer.register_full_backward_hook(lambda mod, gi, go: (gi[0] * 10,))
        else:  # everything below the output changes: input and weights
            layer.register_full_backward_pre_hook(lambda mod, go: (go[0] * 10,))
        x = T(lib, [[1.0, 1.0]])
        layer(x).sum().backward()
        return x.grad, layer.weight.grad
    same_as_torch(program)


def test_a_module_whose_inputs_need_no_grad_calls_its_backward_hook_with_none():
    def program(lib):
        layer, seen = linear(lib), []
        layer.register_full_backward_hook(lambda mod, gi, go: seen.append(
            ([values(g) for g in gi], [g.tolist() for g in go])))
        layer(lib.ones(3, 2, dtype=lib.float64)).sum().backward()
        return seen
    assert same_as_torch(program)[1] == [([None], [[[1.0], [1.0], [1.0]]])]


def test_backward_hooks_of_nested_modules_run_from_the_output_down():
    def program(lib):
        nn, seen = lib.nn, []
        net = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1)).double()
        for i, m in enumerate([*net, net]):
            m.register_full_backward_hook(lambda mod, gi, go, i=i: seen.append(("hook", i)))
            m.register_full_backward_pre_hook(lambda mod, go, i=i: seen.append(("pre", i)))
        net(T(lib, [[1.0, 2.0]])).sum().backward()
        return seen
    same_as_torch(program)


def test_backward_hooks_under_create_graph_see_gradients_with_a_graph():
    def program(lib):
        layer, seen = linear(lib, bias=False), []
        layer.register_full_backward_hook(
            lambda mod, gi, go: seen.append((gi[0].requires_grad, go[0].requires_grad)))
        x = T(lib, [[1.0, 1.0]])
        g, = lib.autograd.grad(layer(x).tanh().sum(), x, create_graph=True)
        return seen, g.requires_grad
    assert same_as_torch(program)[1] == ([(True, True)], True)


@pytest.mark.parametrize("case", ["wrong count", "wrong size"])
def test_a_backward_hook_returning_a_wrong_grad_input_raises(case):
    def program(lib):
        layer = linear(lib)
        layer.register_full_backward_hook(
            (lambda mod, gi, go: (gi[0], gi[0])) if case == "wrong count" else
            (lambda mod, gi, go: (gi[0][:, :1],)))
        layer(T(lib, [[1.0, 1.0]])).sum().backward()
    mg = same_as_torch(program, compare_words=case == "wrong count")  # torch names its wrapper
    assert "changed the size" in mg[1] or "invalid number of grad_input" in mg[1]


def test_removed_backward_hooks_and_no_grad_calls_run_no_hook():
    def program(lib):
        layer, seen = linear(lib), []
        layer.register_full_backward_hook(lambda *a: seen.append("removed")).remove()
        layer.register_full_backward_hook(lambda *a: seen.append("kept"))
        with lib.no_grad():
            layer(T(lib, [[1.0, 1.0]]))
        layer(T(lib, [[1.0, 1.0]])).sum().backward()
        return seen
    assert same_as_torch(program)[1] == ["kept"]


def test_forward_hooks_run_in_order_with_prepend_and_with_kwargs():
    def program(lib):
        layer, seen = linear(lib), []
        layer.register_forward_pre_hook(lambda m, a: seen.append("pre"))
        layer.register_forward_pre_hook(lambda m, a: seen.append("pre, prepended"), prepend=True)
        layer.register_forward_pre_hook(
            lambda m, a, k: seen.append(("pre with kwargs", sorted(k))) or (a, k),
            with_kwargs=True)
        layer.register_forward_hook(lambda m, a, out: seen.append("post"))
        layer.register_forward_hook(lambda m, a, k, out: out * 2, with_kwargs=True)
        layer.register_forward_hook(lambda m, a, out: seen.append("post, prepended"),
                                    prepend=True)
        return seen, layer(T(lib, [[1.0, 1.0]]))
    assert same_as_torch(program)[1][0] == ["pre, prepended", "pre", ("pre with kwargs", []),
                                            "post, prepended", "post"]


def test_a_forward_pre_hook_may_return_a_single_replacement_argument():
    def program(lib):
        layer = linear(lib)
        layer.register_forward_pre_hook(lambda m, args: args[0] * 0)
        return layer(T(lib, [[1.0, 1.0]]))
    assert same_as_torch(program)[1][0] == [[0.0]]


# ---------------------------------------------------------- anomaly detection


def test_detect_anomaly_names_the_backward_that_made_nan_and_lets_inf_pass():
    def program(lib):
        with lib.autograd.detect_anomaly():
            x = T(lib, [0.0, 1.0])
            x.sqrt().sum().backward()  # d sqrt(0) = inf: not an anomaly
            state = (lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled())
            y = T(lib, [-1.0, 1.0])
            try:
                y.sqrt().sum().backward()  # d sqrt(-1) = nan
            except RuntimeError as e:
                return x.grad, state, str(e).split("'")[1].rstrip("0"), lib.is_anomaly_enabled()
    assert same_as_torch(program)[1][1:] == ((True, True), "SqrtBackward", True)
    assert not minigrad.is_anomaly_enabled()


def test_detect_anomaly_also_checks_the_backward_recorded_by_create_graph():
    def program(lib):
        x = T(lib, [0.0, 4.0])
        g, = lib.autograd.grad((x ** 1.5).sum(), x, create_graph=True)  # 1.5 sqrt(x)
        with lib.autograd.detect_anomaly():
            return lib.autograd.grad(g.sum(), x)  # 0.75 / sqrt(x): inf at 0, no nan
    assert same_as_torch(program)[0] == "returned"

    def program_nan(lib):
        x = T(lib, [-1.0, 4.0])
        with lib.autograd.detect_anomaly():
            g, = lib.autograd.grad(x.sqrt().sum() * 0, x, create_graph=True)
    mg = same_as_torch(program_nan)
    assert "returned nan values" in mg[1]


def test_set_detect_anomaly_with_check_nan_false_turns_the_check_off():
    def program(lib):
        default = (lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled())
        with lib.autograd.set_detect_anomaly(True, check_nan=False):
            x = T(lib, [-1.0])
            x.sqrt().sum().backward()
            return default, (lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled())
    assert same_as_torch(program)[1] == ((False, True), (True, False))


# --------------------------------------------------------------- gradgradcheck


class CubeWithAFlatBackward(Function):
    """Right at first order (3 x^2 g), wrong at second: its backward detaches x, so the
    recorded backward says d(3 x^2 g)/dx = 0 instead of 6 x g."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return 3 * x.detach() ** 2 * g


class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return 3 * x ** 2 * g


def test_gradgradcheck_passes_correct_second_derivatives_of_several_inputs():
    minigrad.manual_seed(0)
    x = minigrad.randn(3, dtype=minigrad.float64, requires_grad=True)
    w = minigrad.randn(3, dtype=minigrad.float64, requires_grad=True)
    assert gradgradcheck(lambda a, b: (a.tanh() * b).exp(), (x, w))
    assert gradgradcheck(Cube.apply, (x,))
    assert gradgradcheck(lambda a: (a * a).sum(), x, minigrad.ones((), dtype=minigrad.float64))


def test_gradgradcheck_finds_a_backward_that_is_right_only_at_first_order():
    x = minigrad.tensor([0.5, -1.0, 2.0], dtype=minigrad.float64, requires_grad=True)
    assert gradcheck(CubeWithAFlatBackward.apply, (x,))  # the first derivative is right
    with pytest.raises(RuntimeError, match=r"Gradgrad check failed: the derivative of the "
                                           r"gradient with respect to input 0 \(its element 0\) "
                                           r"with respect to input 0 \(its element 0\) is 0\.0 "
                                           r"by double backward but"):
        gradgradcheck(CubeWithAFlatBackward.apply, (x,),
                      grad_outputs=minigrad.ones(3, dtype=minigrad.float64, requires_grad=True))
    assert gradgradcheck(CubeWithAFlatBackward.apply, (x,), raise_exception=False) is False
