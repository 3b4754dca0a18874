"""Disagreements minigrad keeps on purpose, or leaves to another issue, each with its
reason. A disagreement matching one is reported as known, not as a failure."""
import re
from dataclasses import dataclass

INPLACE = ("Tensor.add_", "Tensor.sub_", "Tensor.mul_", "Tensor.div_", "Tensor.copy_",
           "Tensor.fill_", "Tensor.zero_", "Tensor.clamp_", "Tensor.__iadd__", "Tensor.__isub__",
           "Tensor.__imul__", "Tensor.__itruediv__", "Tensor.__setitem__")
RELU = ("relu", "Tensor.relu", "F.relu", "Tensor.relu_")
ARGUMENT_PARSING = ("received an invalid combination of arguments", "missing 1 required",
                    "positional argument", "must be tuple of ints, not", "must be int, not",
                    "must be Tensor, not")


@dataclass
class Known:
    """A disagreement minigrad keeps on purpose (or leaves to another issue), and why."""
    ops: tuple     # any of these ops in the program ("*": any op)
    kinds: tuple   # "raise", "error type", "dtype", "grad", "requires_grad" ...
    reason: str
    details: tuple = ("",)  # the disagreement's detail contains one of these
    when: object = None     # and, if given, when(disagreement) holds

    def matches(self, d):
        return ((self.ops == "*" or any(op in d.program.ops for op in self.ops)) and
                d.kind in self.kinds and any(t in d.detail for t in self.details) and
                (self.when is None or self.when(d)))


KNOWN = [
    Known("*", ("raise", "error type"), "torch's argument parser rejects some calls that "
          "minigrad's Python signatures accept (keepdim without dim, dim=None for max/min/"
          "squeeze, torch.permute(x, 0, 1) or torch.reshape(x, -1) spread out, a number "
          "where a tensor is due): minigrad is lenient there, not wrong",
          details=ARGUMENT_PARSING, when=lambda d: not any(
              leak in d.detail for leak in ("minigrad AttributeError", "minigrad AxisError",
                                            "minigrad KeyError"))),
    Known(INPLACE, ("requires_grad", "grad"), "in-place ops record no graph in minigrad yet "
          "(the in-place and version semantics issue, worked on separately)"),
    Known(INPLACE, ("error type",), "in-place ops leak NumPy's errors (casting, broadcasting "
          "into the output); they are being rewritten by the in-place semantics issue"),
    Known(("Tensor.view", "Tensor.view_as"), ("raise",), "minigrad keeps its own memory "
          "layouts (a Linear's output is feature-major), so whether a view needs a copy "
          "differs from torch; view reshapes (copying when it must) instead of raising",
          details=("view size is not compatible",)),
    Known(RELU, ("raise",), "relu of a bool tensor returns it (torch has no kernel); checking "
          "the dtype would add work to ReLU's forward, a hot path", details=("Boolean",)),
    Known(RELU, ("grad",), "relu's backward multiplies by a 0/1 mask (30x faster than a "
          "select on random signs), so an infinite or NaN gradient reaching a unit that is off "
          "gives NaN where torch gives 0", when=lambda d: d.program.ops[-1] not in RELU),
    Known(("Tensor.__rtruediv__",), ("grad",), "torch computes other / x as other * "
          "x.reciprocal(), so at x = +-0 its gradient sums the upstream gradient before "
          "meeting the infinity; minigrad's division meets it per element (inf - inf = NaN)",
          when=lambda d: "nan" in d.detail or "inf" in d.detail),
    Known(("round", "Tensor.round"), ("raise",), "torch's round of an int32 or uint8 tensor raises or not "
          "depending on which kernel runs (a 0-d or row tensor: 'round_vml_cpu' is missing); "
          "minigrad returns the integers", details=("round_vml_cpu",)),
    Known(("Tensor.__setitem__",), ("raise",), "torch writes a number through a uint8 mask "
          "with masked_fill_, which takes only bool masks; minigrad reads uint8 as a mask "
          "everywhere", details=("masked_fill_ only supports boolean masks",)),
    Known(("F.cross_entropy", "F.nll_loss"), ("value", "grad"), "the fused losses multiply "
          "an ignored sample's loss by 0 (no select in the hot path), so a NaN or infinite "
          "logit there makes the loss NaN where torch skips the sample",
          when=lambda d: "ignore_index" in repr(d.program) and "nan" in d.detail),
    Known(("add", "sub", "Tensor.add", "Tensor.sub"), ("grad",), "with an infinite or NaN "
          "alpha the gradient of `other` depends on whether the broadcast sum comes before "
          "the scaling (minigrad) or after it (torch)",
          when=lambda d: "alpha=inf" in repr(d.program) or "alpha=nan" in repr(d.program)),
    Known(("Tensor.__getitem__", "Tensor.__setitem__", "amax", "amin", "Tensor.amax",
           "Tensor.amin"), ("error type",), "an argument with two faults (a zero step and too "
          "many indices, a repeated dim of size 0): torch and minigrad name different ones "
          "first"),
    Known(("Tensor.pow", "Tensor.__pow__", "pow"), ("grad", "value"), "pow with exponent 0.5 "
          "at -0 and -inf: torch and NumPy take their sqrt and rsqrt shortcuts in different "
          "cases (a number or a 0-d tensor exponent), which differ there: sqrt(-inf) is NaN, "
          "pow(-inf, 0.5) is inf, rsqrt(-0) is -inf, pow(-0, -0.5) is +inf",
          when=lambda d: "0.5" in repr(d.program) and ("inf" in d.detail or "nan" in d.detail)),
    Known(("F.cross_entropy", "F.nll_loss", "F.mse_loss", "F.binary_cross_entropy_with_logits"),
          ("grad",), "the fused losses spread the gradient with a one-hot multiply (no select "
          "in the hot path): an infinite or NaN upstream gradient (given or computed, "
          "sqrt(0)'s) gives NaN where torch gives 0",
          when=lambda d: len(d.program.steps) > 1 and "nan" in d.detail),
    Known("*", ("value",), "the sign of a zero loss (torch -0., minigrad +0.), seen only "
          "through a division by it", when=lambda d: d.program.ops[0] in (
              "F.cross_entropy", "F.nll_loss", "F.mse_loss",
              "F.binary_cross_entropy_with_logits") and "inf" in d.detail),
    Known(("F.max_pool2d",), ("grad",), "max pooling's backward multiplies g by each "
          "offset's 0/1 mask (no select in the hot path; see MaxPool2DWithIndices): a NaN or "
          "infinite upstream gradient spreads NaN over its window where torch puts 0",
          when=lambda d: len(d.program.steps) > 1 and "nan" in d.detail),
    Known(("F.conv2d",), ("value", "grad"), "with infinite or NaN inputs, torch's convolution "
          "(oneDNN's algorithms) and minigrad's im2col + one matrix product meet the "
          "infinities in different sums, so inf and NaN land in different places",
          when=lambda d: "inf" in repr(d.program) or "nan" in repr(d.program)),
    Known(("Tensor.copy_",), ("raise",), "copy_ broadcasts as NumPy does (a 1-element source "
          "into a 0-d tensor); in-place semantics are another issue's",
          details=("doesn't match the broadcast shape",)),
    Known(("F.linear", "matmul", "Tensor.matmul", "Tensor.__matmul__", "Tensor.__rmatmul__",
           "inner", "Tensor.inner"),
          ("raise",), "products of bool matrices work in minigrad (torch has no kernel); a "
          "dtype check would add work to Linear's forward", details=(
              "not implemented for 'Bool'", "can't be cast to the desired output type Bool")),
    Known(("unique", "Tensor.unique"), ("requires_grad",), "torch marks unique's output as "
          "requiring grad though its backward is not implemented (it raises); minigrad's "
          "output is a constant"),
    Known(("unique", "Tensor.unique"), ("shape", "value"), "unique keeps each NaN (or each "
          "slice with a NaN, along a dim) apart in torch, as NaN != NaN, and orders such slices "
          "differently; minigrad's sort-based unique merges NaNs",
          when=lambda d: "nan" in repr(d.program) or "nan" in d.detail or
          len(d.program.steps) > 1),
    Known(("Tensor.__rmod__",), ("grad",), "torch has no derivative for remainder(number, "
          "tensor); minigrad differentiates it (-floor(a / x) * g)",
          details=("derivative for aten::remainder is not implemented",)),
    Known(("remainder", "Tensor.remainder", "Tensor.__mod__", "Tensor.__rmod__"), ("grad",),
          "remainder's gradient for the divisor is -floor(a / b) * g: torch's floor division "
          "((a - fmod(a, b)) / b) gives NaN at an infinite a where NumPy's floor(a / b) gives an "
          "infinity, and differs by one where a / b rounds onto an integer",
          when=lambda d: "inf" in repr(d.program) or "gradient of input 1" in d.detail or
          "inf" in d.detail),  # (or an infinity computed before: x / 0, reciprocal(0))
    Known(("floor_divide", "Tensor.floor_divide", "Tensor.__floordiv__",
           "Tensor.__rfloordiv__"), ("grad",), "torch gives floor_divide's output a grad_fn "
          "that is not implemented, and a program's later gradients see it as zero; minigrad's "
          "output is a constant"),
    Known(("Tensor.clamp", "Tensor.clip", "clamp", "clip"), ("grad",), "torch's backward of "
          "clamp with tensor bounds of more dims than the input fails to sum the bound's "
          "gradient (a torch bug); minigrad returns it",
          details=("doesn't match the broadcast shape",)),
    Known(("prod", "Tensor.prod", "cumprod", "Tensor.cumprod"), ("grad", "value"), "the "
          "product's gradient at infinite or NaN factors: torch's formula (prod / x, and a "
          "separate path for zeros) and minigrad's (products of the other factors) meet the "
          "infinities differently", when=lambda d: "inf" in repr(d.program) or
          "nan" in repr(d.program)),
    Known(("var", "std", "var_mean", "std_mean", "Tensor.var", "Tensor.std"), ("grad", "value"),
          "variance of infinite values: torch's Welford pass gives NaN where minigrad's two-pass "
          "formula (x - mean) gives an infinity, and their gradients differ there too",
          when=lambda d: "inf" in repr(d.program) or "inf" in d.detail),
    Known(("var", "std", "var_mean", "std_mean", "Tensor.var", "Tensor.std"), ("grad",),
          "var and std over dim=[] or dim=() reduce every dim in torch's forward, but its "
          "backward divides by N - correction for no dims (0), giving inf and NaN gradients",
          when=lambda d: "dim=[]" in repr(d.program) or "dim=()" in repr(d.program)),
    Known(("median", "Tensor.median"), ("grad",), "torch's median of all elements spreads "
          "the gradient evenly over every element equal to the median (ties, 0.0 and -0.0); "
          "minigrad gives it to the one it picked",
          when=lambda d: "dim" not in repr(d.program.steps[-1])),
    Known(("F.elu", "F.celu", "F.selu"), ("value", "grad"), "elu at NaN (its sign bit decides "
          "torch's branch in the backward) and with an infinite or NaN alpha: torch's kernel "
          "and minigrad's where() pick different branches",
          when=lambda d: "nan" in d.detail or "alpha=nan" in repr(d.program) or
          "alpha=inf" in repr(d.program) or "alpha=-inf" in repr(d.program)),
    Known(("F.hardtanh", "F.relu6"), ("grad",), "torch's hardtanh backward at x = NaN gives 0 "
          "or passes g depending on whether the element falls in its vectorised loop or its "
          "scalar tail (a 2-element tensor passes it, a 4-element one not); the NaN may be "
          "computed (atanh(-2), acosh(0.3))",
          when=lambda d: "nan" in repr(d.program) or len(d.program.steps) > 1),
    Known(("F.hardswish",), ("grad",), "torch's hardswish backward at x = NaN passes g or "
          "gives NaN depending on whether the element falls in its scalar tail or its "
          "vectorised loop (8 or more float64 elements); minigrad passes g (as the tail)",
          when=lambda d: "nan" in repr(d.program) or len(d.program.steps) > 1),
    Known(("median", "Tensor.median"), ("raise", "value"), "the median of all elements of an "
          "empty tensor: torch returns an uninitialised value (NaN for floats)",
          when=lambda d: "tensor([]" in repr(d.program) or "for input of size 0" in d.detail),
    Known(("F.interpolate", "F.upsample"), ("raise", "error type"), "interpolate of 3-d and "
          "5-d inputs (linear and trilinear) is not implemented: minigrad resizes (N, C, H, W) "
          "only", details=("Only 4D input Tensors are supported by minigrad",),
          when=lambda d: "3D, 4D and 5D" in d.detail or "(got 3D)" in d.detail or
          "(got 5D)" in d.detail),
    Known(("F.relu", "relu", "Tensor.relu", "F.relu6", "F.hardtanh"), ("value",), "relu of -0.0 "
          "is -0.0 in torch and +0.0 in minigrad, seen only through atan2's quadrant",
          when=lambda d: "-0.0" in repr(d.program) and any(
              "tan2" in op for op in d.program.ops)),
    Known("*", ("grad",), "torch's own backward fails on a program minigrad differentiates: "
          "unique's (not implemented), bool operands of atan2 and of pow with a bool exponent "
          "(it negates or subtracts the bool), x ** False (an internal assert)", details=(
              "derivative for '_unique2' is not implemented",
              "torch's backward raises RuntimeError: Negation, the `-` operator, on a bool",
              "torch's backward raises RuntimeError: Subtraction, the `-` operator, with a bool",
              "torch's backward raises RuntimeError: false INTERNAL ASSERT FAILED",
              "derivative for 'unique_dim' is not implemented",
              "torch's backward raises RuntimeError: cannot reshape tensor of 0 elements")),
    Known(("atan2", "arctan2", "Tensor.atan2", "Tensor.arctan2"), ("grad",), "mixed dtypes: "
          "torch's atan2 backward with an integer first operand and a float64 second gives "
          "gradients far from d/dx atan2(y, x) = -y / (x^2 + y^2) (a torch bug); minigrad's "
          "follow the formula", when=lambda d: d.program.mixed and (
              "uint8" in repr(d.program) or "int" in repr(d.program))),
    Known(("add", "sub", "Tensor.add", "Tensor.sub", "Tensor.add_", "Tensor.sub_",
           "Tensor.__iadd__", "Tensor.__isub__"), ("raise",), "mixed dtypes: torch checks "
          "alpha (a bool alpha, a float alpha with integers, a bool other) against the "
          "result's dtype in cases minigrad's add/sub (and their in-place forms, another "
          "issue's) do not yet check", when=lambda d: "alpha=" in repr(d.program) and (
              "alpha" in d.detail or "Subtraction" in d.detail)),
    Known(("Tensor.__isub__", "Tensor.sub_"), ("raise",), "mixed dtypes: x -= a bool tensor "
          "raises in torch; minigrad's in-place subtraction (another issue's) does not check it",
          details=("Subtraction, the `-` operator, with a bool",)),
    Known(INPLACE + ("full_like",), ("raise", "error type"), "mixed dtypes: an out-of-range "
          "Python int wraps into a uint8 tensor in torch; minigrad's in-place ops (another "
          "issue's) and full_like still pass it to NumPy, which refuses it",
          details=("out of bounds for uint8",)),
    Known(("Tensor.__setitem__",), ("raise",), "mixed dtypes: torch's index_put requires the "
          "value's dtype to match; minigrad casts it (in-place semantics are another issue's)",
          details=("Index put requires the source and destination dtypes match",)),
    Known(("signbit", "Tensor.signbit"), ("value",), "signbit reads a NaN's own sign bit in "
          "both, but which NaN an invalid operation gives (+nan or -nan) depends on the math "
          "library: acos(1.1) is -nan in torch and +nan in NumPy, sqrt(-1) the reverse",
          when=lambda d: len(d.program.steps) > 1),
    Known(("F.silu", "F.mish", "F.softsign"), ("grad",), "silu, mish and softsign are "
          "composites (x * sigmoid(x), x * tanh(softplus(x)), x / (1 + |x|)) whose gradient "
          "the product rule sums: an infinite upstream gradient meets terms of opposite signs "
          "(inf - inf = NaN) where torch's fused backward multiplies it by the whole "
          "derivative (+-inf)", when=lambda d: len(d.program.steps) > 1 and "nan" in d.detail
          and ("inf" in d.detail or "inf" in repr(d.program))),
    Known(("nonzero", "Tensor.nonzero", "argwhere", "Tensor.argwhere", "diagonal",
           "Tensor.diagonal"), ("value",), "memory layouts: torch's nonzero fills its (n, ndim) "
          "result column by column (transposed), its diagonal is a strided view, neither "
          "contiguous; minigrad's are row-major", when=lambda d: "is_contiguous" in
          repr(d.program)),
    Known(("cummax", "cummin", "Tensor.cummax", "Tensor.cummin"), ("raise",), "torch's "
          "cummax and cummin of an empty tensor accept any dim, even one out of range (a torch "
          "quirk: it returns the empty input); minigrad checks the dim",
          details=("Dimension out of range",), when=lambda d: "torch returns" in d.detail),
]


# ------------------------------------------------------------------ second order
# Disagreements only ``--order 2`` sees (kinds "cg-grad": the gradients autograd.grad returns
# with create_graph=True differ though the plain backward's agree; "grad2": the second
# derivatives differ). Each names the op and the symptom; drop an entry once its op is fixed
# (a long run prints the entries it never saw).

_SPECIAL = re.compile(r"(?<![\d.e])-?0\.0(?![\d])|inf|nan")


def _special_values(d):
    """The program has a zero, an infinity or a NaN among its numbers (or computes one)."""
    return bool(_SPECIAL.search(repr(d.program))) or "nan" in d.detail or "inf" in d.detail


PIECEWISE = ("F.elu", "F.celu", "F.selu", "F.hardswish", "F.hardsigmoid", "F.hardtanh",
             "F.relu6", "F.leaky_relu", "F.relu", "relu", "Tensor.relu", "Tensor.relu_")
VARIANCE = ("var", "std", "var_mean", "std_mean", "Tensor.var", "Tensor.std")

KNOWN_ORDER2 = [
    Known(("F.elu", "F.celu", "F.selu"), ("grad2",), "elu's second derivatives at x = +-0 "
          "or NaN, with a NaN alpha, or before a pole (log(0), atanh(1)): torch's double "
          "backward and minigrad's recorded where() meet the infinities and NaNs differently "
          "(NaN against +-inf or 0); the finite entries agree", when=_special_values),
    Known(PIECEWISE, ("grad2",), "piecewise activations multiply the gradient by masks and "
          "branch derivatives: an infinite or NaN upstream gradient (a division by 0 after, an "
          "infinite input) meets a 0 and gives NaN (or inf) where torch's second derivative "
          "is 0 (or NaN)",
          when=lambda d: "nan" in d.detail and _special_values(d)),
    Known(VARIANCE, ("grad2",), "var and std over dim=() or dim=[] (see the first-order "
          "entry: torch's backward divides by N - correction for no dims), and std where all "
          "values are equal (its gradient is 0 / 0): the NaNs land in different second "
          "derivatives", when=lambda d: "dim=()" in repr(d.program) or "dim=[]" in
          repr(d.program) or "nan" in d.detail),
    Known(("matmul", "Tensor.matmul", "Tensor.__matmul__", "Tensor.__rmatmul__", "F.linear",
           "inner", "Tensor.inner"), ("grad2",), "products with infinite operands: torch's "
          "double backward and minigrad's recorded backward sum the infinities in different "
          "orders (inf where the other has NaN); the finite entries agree",
          when=lambda d: d.nonfinite and "inf" in repr(d.program)),
    Known(("log1p", "Tensor.log1p", "log", "Tensor.log", "reciprocal", "Tensor.reciprocal"),
          ("grad2",), "second derivatives at a pole (log1p(-1), log(0), 1 / 0): torch +-inf, "
          "minigrad NaN (or the reverse); the finite entries agree",
          when=lambda d: d.nonfinite),
    Known(("prod", "Tensor.prod", "cumprod", "Tensor.cumprod"), ("grad2",), "the product's "
          "second derivatives at infinite or NaN factors (see its first-order entry)",
          when=lambda d: "inf" in repr(d.program) or "nan" in repr(d.program)),
    Known(("Tensor.__rtruediv__",), ("grad2",), "other / x at x = +-0 (see its first-order "
          "entry): the second derivative meets inf - inf = NaN where torch's is infinite",
          when=_special_values),
    Known(("F.softplus",), ("grad2",), "softplus's second derivative at an infinite input "
          "(its linear branch) times an infinite gradient after it (expm1, exp): torch's "
          "double backward multiplies sigmoid's zero derivative by it (NaN), minigrad's "
          "where() leaves the branch out (inf)", when=lambda d: "inf" in repr(d.program) and
          d.nonfinite),
    Known(("Tensor.div_", "Tensor.__itruediv__", "div", "divide", "Tensor.div",
           "Tensor.__truediv__"), ("grad2",), "the second derivative of a / x with an "
          "infinite a: torch's double backward meets inf * 0 (NaN) where minigrad's recorded "
          "backward keeps +-inf; the finite entries agree",
          when=lambda d: "inf" in repr(d.program) and d.nonfinite),
    Known(("sigmoid", "Tensor.sigmoid", "F.sigmoid", "tanh", "Tensor.tanh", "F.tanh"),
          ("grad2",), "sigmoid's and tanh's second derivatives times an infinite gradient "
          "(a product with inf after them): torch's double backward and minigrad's recorded "
          "backward multiply the same factors in another order, meeting inf * 0 in different "
          "places (NaN where the other has +-inf); the finite entries agree",
          when=lambda d: "inf" in repr(d.program) and d.nonfinite),
    Known(("F.max_pool2d",), ("grad2",), "max pooling's recorded backward multiplies g by "
          "each offset's 0/1 mask (see its first-order entry): an infinite or NaN gradient "
          "spreads NaN over its window where torch's second derivative is 0",
          when=lambda d: "nan" in d.detail and ("inf" in repr(d.program) or
                                                "nan" in repr(d.program))),
    Known(("F.cross_entropy", "F.nll_loss", "F.mse_loss", "F.binary_cross_entropy_with_logits"),
          ("grad2",), "the fused losses' one-hot gradient (see the first-order entry) under "
          "create_graph: an infinite input or gradient meets the one-hot's zeros (NaN where "
          "torch's second derivative is 0)", when=lambda d: "nan" in d.detail and (
              "inf" in repr(d.program) or "nan" in repr(d.program))),
]


def known_reason(d):
    for k in KNOWN + KNOWN_ORDER2:
        if k.matches(d):
            return k.reason
    return None
