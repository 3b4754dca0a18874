"""Graph-level scenarios, each a small PyTorch program run unchanged on both libraries.

Every program takes the library as its argument (``prog(torch)``) and is run twice: with
``import torch`` and with ``import minigrad as torch``, in float64. The two runs must agree
on every value and gradient the program returns, and on whether it raises (and with
which error type). The programs cover what the graph records and when: in-place ops and
views with their version counters, the graph recorded at op time, gradients checked and
cast on their way back, grad modes, and what PyTorch accepts or refuses around them.
"""
import threading

import numpy as np
import pytest
import torch as real_torch

import minigrad

D = "float64"


def leaf(torch, values, requires_grad=True):
    return torch.tensor(values, dtype=torch.float64, requires_grad=requires_grad)


# ------------------------------------------- writing into tensors: recorded in-place ops

def setitem_of_a_grad_value_into_a_plain_tensor(torch):
    w = leaf(torch, [1., 2., 3.])
    a = torch.zeros(3, dtype=torch.float64)
    a[1] = w[0]
    ((a * w).sum() + w.sum()).backward()
    return w.grad, a


def add_of_a_grad_value_into_a_plain_tensor(torch):
    w = leaf(torch, [1., 2., 3.])
    a = torch.zeros(3, dtype=torch.float64)
    a.add_(w)
    ((a * w).sum()).backward()
    return w.grad


def copy_of_a_grad_value_into_a_plain_tensor(torch):
    w = leaf(torch, [1., 2., 3.])
    b = torch.zeros(3, dtype=torch.float64)
    b.copy_(w * 2)
    ((b * w).sum() + w.sum()).backward()
    return w.grad


def rnn_outputs_collected_with_setitem(torch):
    h0 = leaf(torch, [1., 2.])
    out = torch.zeros(3, 2, dtype=torch.float64)
    h = h0
    for t in range(3):
        h = (h * 2).tanh()
        out[t] = h
    (out * torch.arange(6, dtype=torch.float64).reshape(3, 2)).sum().backward()
    return h0.grad


def total_loss_accumulated_from_a_python_zero(torch):
    w = leaf(torch, [1., 2., 3.])
    total = 0
    for i in range(3):
        total += (w * i).sum()
    total.backward()
    return w.grad, total


def total_loss_accumulated_in_a_zero_tensor(torch):
    w = leaf(torch, [1., 2., 3.])
    total = torch.zeros((), dtype=torch.float64)
    for i in range(3):
        total += (w * w * i).sum()
    total.backward()
    return w.grad, total, total.grad_fn is not None


def residual_sum_in_place(torch):
    x = leaf(torch, [[1., -2.], [3., 4.]])
    lin = torch.nn.Linear(2, 2).double()
    with torch.no_grad():
        lin.weight.copy_(torch.tensor([[0.5, -1.], [2., 0.25]], dtype=torch.float64))
        lin.bias.fill_(0.1)
    out = lin(x)
    out += x
    out = out.relu()
    out.sum().backward()
    return x.grad, lin.weight.grad, lin.bias.grad


def positional_embedding_added_in_place(torch):
    tok = leaf(torch, [[1., 2.], [3., 4.], [5., 6.]])
    pos = leaf(torch, [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]])
    x = tok * 1.5
    x += pos
    (x * x).sum().backward()
    return tok.grad, pos.grad


def relu_in_place_on_a_hidden_layer(torch):
    x = leaf(torch, [1., -2., 3.])
    h = x * 2
    h.relu_()
    (h * h).sum().backward()
    return x.grad, h


def masked_setitem_of_a_constant(torch):
    x = leaf(torch, [1., -2., 3.])
    y = x * 1
    y[y < 0] = 0
    (y * y).sum().backward()
    return x.grad, y


def mul_in_place_keeps_the_original_for_the_other_gradient(torch):
    w = leaf(torch, [1., 2., 3.])
    x = leaf(torch, [2., 3., 4.])
    h = x * 1
    h.mul_(w)
    h.sum().backward()
    return w.grad, x.grad


def in_place_through_a_slice_rewrites_the_base(torch):
    x = leaf(torch, [1., 2., 3.])
    y = x * 2
    y[0:2].mul_(10)
    (y * y).sum().backward()
    return x.grad, y


def in_place_through_a_reshape_view_rewrites_the_base(torch):
    x = leaf(torch, [1., 2., 3., 4.])
    y = x * 2
    y.view(2, 2).mul_(10)
    y.sum().backward()
    return x.grad


def augmented_assignment_to_a_column(torch):
    x = leaf(torch, [[1., 2.], [3., 4.]])
    y = x * 1
    y[:, 0] *= 3
    (y * y).sum().backward()
    return x.grad


def in_place_on_a_leaf_that_requires_grad(torch):
    x = leaf(torch, [1., 2., 3.])
    x.add_(1)


def setitem_on_a_leaf_that_requires_grad(torch):
    x = leaf(torch, [1., 2., 3.])
    x[0] = 5


def in_place_through_a_view_of_a_leaf(torch):
    x = leaf(torch, [1., 2., 3.])
    x[0:2].mul_(2)


def in_place_on_a_leaf_under_no_grad(torch):
    x = leaf(torch, [1., 2., 3.])
    with torch.no_grad():
        x.mul_(2)
    (x * x).sum().backward()
    return x.grad, x._version


def in_place_with_a_broadcast_larger_than_the_target(torch):
    x = torch.ones(3, dtype=torch.float64)
    x.add_(leaf(torch, [[1., 2., 3.], [4., 5., 6.]]))


def in_place_on_an_expanded_tensor(torch):
    a = torch.ones(3, dtype=torch.float64)
    a.expand(2, 3).add_(1)


def in_place_on_a_row_of_a_non_leaf(torch):
    x = leaf(torch, [[1., 2.], [3., 4.]])
    y = x * 2
    v = y[0]
    v.add_(1)
    (y * y).sum().backward()
    return x.grad, v * 1


def in_place_through_a_view_of_a_view(torch):
    x = leaf(torch, [[1., 2., 3.], [3., 4., 5.]])
    y = x * 2
    y[0][1:].mul_(2)
    (y * y).sum().backward()
    return x.grad


def in_place_through_a_transpose_rewrites_the_base(torch):
    x = leaf(torch, [[1., 2.], [3., 4.]])
    y = x.t() * 1
    y.t().mul_(torch.tensor([[1., 2.], [3., 4.]], dtype=torch.float64))
    (y * y).sum().backward()
    return x.grad


def copy_of_a_grad_value_into_a_row_of_a_plain_tensor(torch):
    w = leaf(torch, [1., 2., 3.])
    a = torch.zeros(2, 3, dtype=torch.float64)
    a[0].copy_(w)
    (a * a).sum().backward()
    return w.grad


def setitem_with_a_tuple_key(torch):
    w = leaf(torch, [1., 2., 3.])
    a = torch.zeros(2, 3, dtype=torch.float64)
    a[0, 1] = w[0] * 3
    (a * a).sum().backward()
    return w.grad


def setitem_with_an_index_tensor(torch):
    x = leaf(torch, [1., 2., 3.])
    y = x * 1
    y[torch.tensor([0, 2])] = torch.tensor([5., 6.], dtype=torch.float64)
    (y * x).sum().backward()
    return x.grad


def view_made_under_no_grad_written_with_grad_on(torch):
    y = leaf(torch, [1., 2.]) * 2
    with torch.no_grad():
        v = y[0:1]
    v.mul_(2)


def grad_value_added_into_a_detached_tensor(torch):
    x = leaf(torch, [1., 2.])
    w = leaf(torch, [1., 1.])
    y = x * 2
    d = y.detach()
    d.add_(w)
    (d * y).sum().backward()
    return x.grad, w.grad


def clamp_zero_fill_sub_div_in_place_on_non_leaves(torch):
    x = leaf(torch, [1., 2.])
    a, b, c, d, e = x * 1, x * 1, x * 1, x * 1, x * 1
    a.clamp_(min=1.5)
    b.zero_()
    c.fill_(3.)
    d.sub_(x, alpha=2)
    e.div_(x * 4)
    (a + b + c * x + d + e).sum().backward()
    return x.grad, a, b, c, d, e


def saved_output_written_through_a_view(torch):
    x = leaf(torch, [1., 2.])
    y = x.exp()
    z = y.view(2)
    z.mul_(2)
    y.sum().backward()


# --------------------------------------------------------- views and version counters

def write_through_a_slice_of_a_saved_input(torch):
    w = leaf(torch, [1., 2., 3.])
    a = torch.ones(3, dtype=torch.float64)
    y = w * a
    a[0:2].mul_(10)
    y.sum().backward()
    return w.grad


def write_through_detach_of_a_saved_output(torch):
    x = leaf(torch, [1., 2., 3.])
    y = x.exp()
    y.detach().zero_()
    y.sum().backward()
    return x.grad


def write_through_a_reshape_of_a_saved_input(torch):
    w = leaf(torch, [1., 2., 3., 4.])
    a = torch.ones(4, dtype=torch.float64)
    y = w * a
    a.reshape(2, 2).mul_(3)
    y.sum().backward()
    return w.grad


def views_share_the_version_counter(torch):
    a = torch.ones(2, 3, dtype=torch.float64)
    views = [a[0], a.t(), a.reshape(6), a.detach(), a.unsqueeze(0), a.expand(1, 2, 3)]
    a.mul_(2)
    views[0].add_(1)
    return [v._version for v in views] + [a._version]


def writing_a_copy_leaves_the_original_version_alone(torch):
    a = torch.ones(2, 3, dtype=torch.float64)
    b = a.t().contiguous()
    c = a.clone()
    b.mul_(10)
    c.mul_(10)
    return a, a._version


def contiguous_of_a_contiguous_tensor_is_itself(torch):
    a = torch.ones(2, 3, dtype=torch.float64)
    return a.contiguous() is a, a.t().contiguous() is a.t(), a.t().contiguous().is_contiguous()


# ----------------------------------------------------------- saved outputs are checked

def saved_output_modified_under_no_grad(torch):
    x = leaf(torch, [1., 2., 3.])
    y = x.exp()
    with torch.no_grad():
        y.mul_(2)
    y.sum().backward()


def softmax_output_modified_under_no_grad(torch):
    x = leaf(torch, [1., 2., 3.])
    y = x.softmax(0)
    with torch.no_grad():
        y.mul_(2)
    (y * torch.arange(3, dtype=torch.float64)).sum().backward()


def max_indices_modified_before_backward(torch):
    x = leaf(torch, [[1., 5., 3.], [4., 2., 0.]])
    v, i = x.max(1)
    i.zero_()
    v.sum().backward()


def output_of_an_op_that_saved_nothing_modified(torch):
    x = leaf(torch, [1., 2., 3.])
    y = x + 1
    y.mul_(2)
    y.sum().backward()
    return x.grad


def relu_output_modified_in_place(torch):
    x = leaf(torch, [1., -1., 2.])
    y = (x * 1).relu()
    y.add_(1)
    y.sum().backward()


def relu_input_modified_in_place(torch):
    x = leaf(torch, [1., -1., 2.])
    h = x * 1
    y = h.relu()
    h.add_(1)
    y.sum().backward()
    return x.grad


def pow_output_modified_in_place(torch):
    x = leaf(torch, [1., 2., 3.])
    y = x ** 2
    y.add_(1)
    y.sum().backward()
    return x.grad


def unsaved_factor_of_a_product_modified(torch):
    w = leaf(torch, [1., 2., 3.])
    a = torch.ones(3, dtype=torch.float64) * 2
    y = a * w
    with torch.no_grad():
        w.add_(1)
    y.sum().backward()
    return w.grad


def saved_factor_of_a_product_modified(torch):
    w = leaf(torch, [1., 2., 3.])
    a = torch.ones(3, dtype=torch.float64) * 2
    y = a * w
    a.add_(1)
    y.sum().backward()


def optimizer_step_between_forward_and_backward_of_one_linear(torch):
    torch.manual_seed(0)
    lin = torch.nn.Linear(3, 2).double()
    opt = torch.optim.SGD(lin.parameters(), lr=0.1)
    x = torch.ones(4, 3, dtype=torch.float64)
    loss = lin(x).sum()
    opt.zero_grad()
    lin(x).sum().backward()
    opt.step()
    loss.backward()
    return lin.bias.grad


def optimizer_step_between_forward_and_backward_of_two_linears(torch):
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    net = net.double()
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    x = torch.ones(4, 3, dtype=torch.float64)
    loss = net(x).sum()
    net(x).sum().backward()
    opt.step()
    loss.backward()


# ------------------------------------------------------- the graph is recorded at op time

def detach_in_place_after_use_keeps_the_recorded_path(torch):
    x = leaf(torch, [1., 2., 3.])
    y = x * 2
    z = y.exp()
    y.detach_()
    z.sum().backward()
    return x.grad, y.requires_grad


def requires_grad_after_use_gets_no_gradient_from_before(torch):
    x = torch.ones(3, dtype=torch.float64)
    y = x * 2
    x.requires_grad_()
    (y + x).sum().backward()
    return x.grad


def requires_grad_switched_off_after_use(torch):
    x = leaf(torch, [1., 2., 3.])
    y = x * x
    x.requires_grad_(False)
    y.sum().backward()
    return x.grad


def requires_grad_false_on_a_non_leaf(torch):
    y = leaf(torch, [1., 2.]) * 2
    y.requires_grad = False


def requires_grad_true_on_an_integer_tensor(torch):
    x = torch.tensor([1, 2, 3])
    x.requires_grad = True


def detach_in_place_on_a_view(torch):
    x = leaf(torch, [1., 2., 3.])
    x[0:2].detach_()


# ------------------------------------- gradients from a user Function: checked and cast

def _function(torch, backward, forward=lambda ctx, x: x * 2):
    return type("Custom", (torch.autograd.Function,), {
        "forward": staticmethod(forward), "backward": staticmethod(backward)})


def _run_custom(torch, backward, n_inputs=1):
    fn = _function(torch, backward,
                   (lambda ctx, x: x * 2) if n_inputs == 1 else (lambda ctx, x, y: x * y))
    x = leaf(torch, [[1., 2., 3.], [4., 5., 6.]])
    y = fn.apply(x) if n_inputs == 1 else fn.apply(x, leaf(torch, [[1.] * 3] * 2))
    y.sum().backward()
    return x.grad


def function_returning_a_transposed_gradient(torch):
    return _run_custom(torch, lambda ctx, g: torch.ones(3, 2, dtype=g.dtype))


def function_returning_a_flat_gradient(torch):
    return _run_custom(torch, lambda ctx, g: torch.ones(6, dtype=g.dtype))


def function_returning_a_broadcast_gradient(torch):
    return _run_custom(torch, lambda ctx, g: torch.ones(4, 2, 3, dtype=g.dtype))


def function_returning_too_many_gradients(torch):
    return _run_custom(torch, lambda ctx, g: (g, g))


def function_returning_extra_nones(torch):
    return _run_custom(torch, lambda ctx, g: (g * 3, None))


def function_returning_too_few_gradients(torch):
    return _run_custom(torch, lambda ctx, g: (g,), n_inputs=2)


def function_returning_a_float32_gradient(torch):
    x = leaf(torch, [1., 2.])
    fn = _function(torch, lambda ctx, g: (g * 3).float())
    fn.apply(x).sum().backward()
    return x.grad, x.grad.dtype == torch.float64


def function_sees_its_inputs_require_grad(torch):
    seen = []

    def forward(ctx, x):
        seen.append((x.requires_grad, torch.is_grad_enabled()))
        return x * 2

    x = leaf(torch, [1., 2.])
    _function(torch, lambda ctx, g: g * 2, forward).apply(x).sum().backward()
    return seen, x.grad


def function_saving_an_input_modified_before_backward(torch):
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 2 * x * g

    x = leaf(torch, [1., 2.])
    h = x * 1
    y = _function(torch, backward, forward).apply(h)
    h.add_(1)
    y.sum().backward()


def function_returning_none_for_a_non_leaf_also_used_directly(torch):
    # the None edge is counted down: h's producer still receives the direct path's gradient
    def forward(ctx, x, y):
        return x * y

    w = leaf(torch, [1., 2., 3.])
    h = w * 2
    y = _function(torch, lambda ctx, g: (None, g), forward).apply(h, leaf(torch, [1.] * 3))
    (y.sum() + h.sum()).backward()
    return w.grad


def cross_entropy_with_a_weight_that_requires_grad(torch):
    w = leaf(torch, [1., 2., 3.])
    x = leaf(torch, [[1., 2., 3.], [0., 1., 0.]])
    loss = torch.nn.functional.cross_entropy(x, torch.tensor([0, 2]), weight=w * 2)
    (loss + (w * 2).sum()).backward()
    return w.grad


def cross_entropy_with_a_constant_weight(torch):
    w = leaf(torch, [1., 2., 3.], requires_grad=False)
    x = leaf(torch, [[1., 2., 3.], [0., 1., 0.]])
    torch.nn.functional.cross_entropy(x, torch.tensor([0, 2]), weight=w * 2).backward()
    return x.grad


def cross_entropy_with_probabilities_and_a_weight_that_requires_grad(torch):
    w = leaf(torch, [1., 2., 3.])
    x = leaf(torch, [[[1.], [2.], [3.]], [[0.], [1.], [0.]]])  # (N, C, d1)
    p = torch.tensor([[[0.2], [0.3], [0.5]], [[1.], [0.], [0.]]], dtype=torch.float64)
    F = torch.nn.functional
    total = F.cross_entropy(x, p, weight=w * 2) + F.cross_entropy(
        x, p, weight=w, reduction="sum", label_smoothing=0.1)
    (total + (F.cross_entropy(x, p, weight=w, reduction="none") ** 2).sum()).backward()
    return w.grad, x.grad


def bce_with_a_weight_or_pos_weight_that_requires_grad(torch):
    F = torch.nn.functional
    x = leaf(torch, [[1., -2.], [0.5, 3.]])
    t = torch.tensor([[1., 0.], [0., 1.]], dtype=torch.float64)
    w = leaf(torch, [1., 2.])
    raised = []
    for kwargs in ({"weight": w}, {"pos_weight": w}):
        try:
            F.binary_cross_entropy_with_logits(x, t, **kwargs)
        except RuntimeError:
            raised.append(list(kwargs))
    with torch.no_grad():
        quiet = F.binary_cross_entropy_with_logits(x, t, weight=w, pos_weight=w)
    return raised, quiet


def float32_gradient_into_a_float64_graph(torch):
    x = leaf(torch, [1., 2., 3.])
    y = x.exp()
    y.backward(gradient=torch.ones(3, dtype=torch.float32) / 3)
    return x.grad, x.grad.dtype == torch.float64


def gradient_given_as_a_list_of_numbers(torch):
    y = leaf(torch, [1., 2., 3.]) * 2
    y.backward(gradient=[1., 1., 1.])


def gradient_given_as_a_list_of_one_tensor(torch):
    x = leaf(torch, [1., 2., 3.])
    (x * 2).backward(gradient=[torch.ones(3, dtype=torch.float64)])
    return x.grad


def gradient_of_the_wrong_shape(torch):
    (leaf(torch, [1., 2., 3.]) * 2).backward(gradient=torch.ones(1, dtype=torch.float64))


def grad_assigned_with_the_wrong_shape(torch):
    x = leaf(torch, [1., 2., 3.])
    x.grad = torch.ones(2, dtype=torch.float64)


def grad_assigned_with_the_wrong_dtype(torch):
    x = leaf(torch, [1., 2., 3.])
    x.grad = torch.ones(3, dtype=torch.float32)


def grad_assigned_then_accumulated(torch):
    x = leaf(torch, [1., 2., 3.])
    x.grad = torch.ones(3, dtype=torch.float64)
    (x * x).sum().backward()
    return x.grad


def parameter_data_assigned_a_tensor(torch):
    torch.manual_seed(0)
    lin = torch.nn.Linear(2, 2).double()
    lin.weight.data = torch.tensor([[1., 2.], [3., 4.]], dtype=torch.float64)
    p = lin.weight
    out = lin(torch.ones(1, 2, dtype=torch.float64)).sum()
    out.backward()
    return lin.weight.grad, p is lin.weight


def parameter_data_assigned_another_dtype_and_shape(torch):
    p = torch.nn.Parameter(torch.ones(3))
    p.data = torch.zeros(4, dtype=torch.float64)
    (p * 2).sum().backward()
    return p.grad, p.shape, p.dtype == torch.float64


# ------------------------------------------------------- nn.ReLU / F.relu with inplace

def functional_relu_in_place_returns_its_input(torch):
    x = leaf(torch, [-1., 2., 3.])
    h = x * 1
    r = torch.nn.functional.relu(h, inplace=True)
    (r * r).sum().backward()
    return r is h, x.grad, h


def relu_module_in_place_in_a_network(torch):
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(inplace=True),
                              torch.nn.Linear(4, 1)).double()
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.linspace(-1, 1, p.numel(), dtype=torch.float64).reshape(p.shape))
    x = leaf(torch, [[1., -2., 3.], [0.5, 0.1, -1.]])
    net(x).sum().backward()
    return x.grad, [p.grad for p in net.parameters()]


def relu_in_place_on_a_tensor_another_op_saved(torch):
    x = leaf(torch, [-1., 2., 3.])
    h = x * 1
    out = h.relu() + torch.nn.ReLU(inplace=True)(h)
    out.sum().backward()


def relu_in_place_on_a_leaf(torch):
    torch.nn.functional.relu(leaf(torch, [-1., 2.]), inplace=True)


# --------------------------------------------------------------------------- grad modes

def set_grad_enabled_as_a_decorator(torch):
    @torch.set_grad_enabled(False)
    def f(x):
        return (x * 2).requires_grad

    before = torch.is_grad_enabled()
    return before, f(leaf(torch, [1.])), torch.is_grad_enabled()


def no_grad_on_a_recursive_function(torch):
    @torch.no_grad()
    def f(n):
        return f(n - 1) if n else torch.is_grad_enabled()

    return f(3), torch.is_grad_enabled()


def no_grad_on_a_generator(torch):
    @torch.no_grad()
    def gen(x):
        yield (x * 2).requires_grad
        yield torch.is_grad_enabled()

    out = [torch.is_grad_enabled()]
    for v in gen(leaf(torch, [1.])):
        out += [v, torch.is_grad_enabled()]
    return out


def bare_decorators(torch):
    @torch.no_grad
    def a(x):
        return (x * 2).requires_grad

    @torch.enable_grad
    def b(x):
        return (x * 2).requires_grad

    @torch.inference_mode
    def c(x):
        return (x * 2).requires_grad, torch.is_inference_mode_enabled()

    x = leaf(torch, [1.])
    with torch.no_grad():
        inside = b(x)
    return a(x), inside, c(x), torch.is_grad_enabled()


def grad_mode_is_per_thread(torch):
    entered, release = threading.Event(), threading.Event()

    def other():
        with torch.no_grad():
            entered.set()
            release.wait(10)

    t = threading.Thread(target=other)
    t.start()
    entered.wait(10)
    here = torch.is_grad_enabled(), (leaf(torch, [1.]) * 2).requires_grad
    release.set()
    t.join()
    return here


def enable_grad_inside_inference_mode(torch):
    with torch.inference_mode():
        with torch.enable_grad():
            x = leaf(torch, [1., 2.])
            y = x * 2
            return torch.is_grad_enabled(), y.requires_grad, y.grad_fn is None, y.is_inference()


def inference_tensor_saved_for_backward(torch):
    with torch.inference_mode():
        a = torch.ones(3, dtype=torch.float64)
    w = leaf(torch, [1., 2., 3.])
    return w * a


def inference_tensor_in_an_op_that_saves_nothing(torch):
    with torch.inference_mode():
        a = torch.ones(3, dtype=torch.float64)
    w = leaf(torch, [1., 2., 3.])
    (w + a).sum().backward()
    return w.grad, a.is_inference(), (a * 2).is_inference()


def inference_tensor_written_outside_inference_mode(torch):
    with torch.inference_mode():
        a = torch.ones(3, dtype=torch.float64)
    a.add_(1)


def inference_tensor_given_a_grad_value_in_place(torch):
    with torch.inference_mode():
        a = torch.ones(3, dtype=torch.float64)
    a.add_(leaf(torch, [1., 2., 3.]))


def expanded_view_given_a_grad_value_in_place(torch):
    a = torch.ones(3, dtype=torch.float64)
    a.expand(2, 3).add_(leaf(torch, [1., 2., 3.]))


def inference_mode_false_is_a_no_op(torch):
    with torch.inference_mode(False):
        return torch.is_grad_enabled(), torch.is_inference_mode_enabled()


# --------------------------------------------------------------- second backward, misc

def second_backward_through_a_graph_that_saved_nothing(torch):
    x = leaf(torch, [1., 2., 3.])
    s = (x + 1).sum()
    s.backward()
    s.backward()
    return x.grad


def second_backward_through_a_graph_that_saved_tensors(torch):
    x = leaf(torch, [1., 2., 3.])
    s = (x * x).sum()
    s.backward()
    s.backward()


def second_backward_with_retain_graph(torch):
    x = leaf(torch, [1., 2., 3.])
    s = (x * x).sum()
    s.backward(retain_graph=True)
    s.backward()
    return x.grad


def optimizer_load_state_dict_shares_the_state(torch):
    p = torch.nn.Parameter(torch.ones(3, dtype=torch.float64))
    opt = torch.optim.Adam([p])
    p.grad = torch.ones(3, dtype=torch.float64)
    opt.step()
    sd = opt.state_dict()
    opt2 = torch.optim.Adam([p])
    opt2.load_state_dict(sd)
    return (opt2.state[p]["exp_avg"] is sd["state"][0]["exp_avg"],
            opt2.state[p]["step"] is sd["state"][0]["step"])


def training_loop_with_zero_grad_and_step(torch):
    torch.manual_seed(0)
    lin = torch.nn.Linear(2, 1).double()
    with torch.no_grad():
        lin.weight.copy_(torch.tensor([[0.3, -0.2]], dtype=torch.float64))
        lin.bias.zero_()
    opt = torch.optim.SGD(lin.parameters(), lr=0.1, momentum=0.9)
    x = torch.tensor([[1., 2.], [3., 4.]], dtype=torch.float64)
    for _ in range(3):
        opt.zero_grad()
        ((lin(x) - 1) ** 2).mean().backward()
        opt.step()
    return lin.weight, lin.bias


def leaf_used_twice_and_a_branch_with_no_gradient(torch):
    x = leaf(torch, [1., 2., 3.])
    y = x * 2
    z = y.detach() * y + y.sum()
    z.sum().backward()
    return x.grad


def gradients_accumulate_over_backward_calls_until_zeroed(torch):
    x = leaf(torch, [1., 2.])
    (x * x).sum().backward()
    (x * 3).sum().backward()
    first = x.grad.clone()
    x.grad.zero_()
    (x ** 3).sum().backward()
    return first, x.grad


def evaluation_under_no_grad_builds_no_graph(torch):
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU()).double()
    with torch.no_grad():
        out = net(torch.ones(4, 2, dtype=torch.float64))
    return out.requires_grad, out.grad_fn is None, out.is_leaf


def adam_training_with_zero_grad_to_zeros(torch):
    w = leaf(torch, [[0.5, -0.3], [0.2, 0.1]])
    opt = torch.optim.Adam([w], lr=0.1)
    x = torch.tensor([[1., 2.], [3., -1.]], dtype=torch.float64)
    for _ in range(3):
        opt.zero_grad(set_to_none=False)
        (x @ w).tanh().sum().backward()
        opt.step()
    return w, w.grad, w._version


PROGRAMS = [v for k, v in list(globals().items())
            if callable(v) and getattr(v, "__module__", None) == __name__
            and not k.startswith("_") and k not in ("leaf",)
            and v.__code__.co_varnames[:1] == ("torch",)]


def _outcome(lib, prog):
    lib.manual_seed(0)
    try:
        return "ok", prog(lib)
    except Exception as e:  # noqa: BLE001  (the error type is compared)
        return "raises", e


def _flat(value):
    """Tensors -> NumPy arrays (through tolist: no NumPy interop needed), recursively."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_flat(v) for v in value]
    if hasattr(value, "detach"):
        return np.array(value.detach().tolist(), dtype=np.float64)
    if hasattr(value, "is_floating_point") or type(value).__name__ == "Size":
        return list(value)
    return value


def _assert_same(a, b, path="result"):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        assert isinstance(a, np.ndarray) and isinstance(b, np.ndarray), path
        assert a.shape == b.shape, path
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12, err_msg=path)
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            _assert_same(x, y, f"{path}[{i}]")
    else:
        assert a == b, f"{path}: torch {b!r}, minigrad {a!r}"


@pytest.mark.parametrize("prog", PROGRAMS, ids=[p.__name__ for p in PROGRAMS])
def test_program_runs_the_same_on_minigrad_and_torch(prog):
    expected_kind, expected = _outcome(real_torch, prog)
    kind, got = _outcome(minigrad, prog)
    if expected_kind == "raises":
        assert kind == "raises", f"torch raised {expected!r}; minigrad returned {got!r}"
        assert type(got).__name__ == type(expected).__name__, (
            f"torch raised {expected!r}; minigrad raised {got!r}")
        return
    assert kind == "ok", f"torch returned {expected!r}; minigrad raised {got!r}"
    _assert_same(_flat(got), _flat(expected))


def test_the_scenarios_cover_both_raising_and_returning_programs():
    kinds = [_outcome(real_torch, p)[0] for p in PROGRAMS]
    assert len(PROGRAMS) >= 80 and kinds.count("raises") >= 20 and kinds.count("ok") >= 40
