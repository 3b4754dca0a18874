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
    # (found once the ops of shaped.py were drawn)
    Known(("F.adaptive_avg_pool2d",), ("value", "grad"), "deliberate: adaptive average "
          "pooling is two products with averaging matrices (one GEMM each way, no Python loop "
          "over windows), so an infinite or NaN pixel meets the zeros of the other windows' "
          "weights (0 * inf = NaN) and spreads NaN where torch's window sums stay finite",
          when=lambda d: _nonfinite(d)),
    Known(("F.conv_transpose2d",), ("raise", "error type"), "not implemented: minigrad's "
          "conv_transpose2d supports groups=1 only", details=("supports groups=1 only",)),
    Known(("F.pad",), ("raise", "error type"), "not implemented: minigrad's pad has no "
          "'circular' mode", details=("no 'circular' mode",)),
    Known(("scatter", "Tensor.scatter", "Tensor.scatter_"), ("raise", "error type"), "not "
          "implemented: scatter's reduce='multiply' (deprecated in torch, which points to "
          "scatter_reduce)", details=("scatter(reduce='multiply') is not supported",)),
    Known(("einsum",), ("raise", "error type"), "not implemented: einsum with a subscript "
          "repeated within one operand (a diagonal or a trace, 'ii')",
          details=("repeated within one operand",)),
    Known(("einsum",), ("dtype",), "torch quirk: einsum of an int32 operand that only "
          "reduces ('ij->') sums with sum(), which promotes integers to int64, while its "
          "products keep int32; minigrad keeps the operands' dtype throughout",
          details=("torch dtype int64, minigrad",)),
    Known(("kthvalue", "Tensor.kthvalue", "topk", "Tensor.topk"), ("value", "grad"), "torch "
          "leaves unspecified which of several equal elements kthvalue/topk report (its "
          "partial sort picks one; minigrad's stable sort the first): the values agree, the "
          "indices (and where the gradient goes) differ", when=lambda d: _values_tie(d)),
    Known(("topk", "Tensor.topk"), ("raise",), "torch quirk: topk(0) of a 0-d tensor returns "
          "the element itself (a 1-element result for k = 0); minigrad refuses the empty "
          "selection", when=lambda d: "topk(0" in repr(d.program) or ".topk(0" in repr(
              d.program)),
    Known("*", ("grad",), "torch's own backward fails on a program minigrad differentiates: "
          "scatter/scatter_add with a src larger than index (its gradient has index's "
          "shape), scatter(reduce=...) (not implemented), tile of an empty product, "
          "group_norm with a bias but no weight, index_add into an empty dim", details=(
              "returned an invalid gradient at index 1",
              "derivative for aten::scatter_ is not implemented",
              "derivative for aten::scatter is not implemented",
              "cannot reshape tensor of 0 elements into shape",
              "torch's backward raises RuntimeError: tensor does not have a device",
              "self indexing axis dim should be positive")),
    Known(("F.group_norm", "F.layer_norm", "F.batch_norm"), ("value", "grad"), "float32 "
          "groups of (nearly) equal values: x - mean is rounding noise that 1 / sqrt(var + "
          "eps) magnifies ~300x, and torch's fused kernel rounds it differently from "
          "minigrad's composite", when=lambda d: "float32" in repr(d.program)),
    Known(("F.kl_div",), ("grad",), "the target's gradient where the target is 0: torch's "
          "xlogy backward divides 0 by 0 (NaN); minigrad takes 0 log 0 as the constant 0, so "
          "its gradient there is -input (the true derivative, log t + 1 - input, is -inf)",
          when=lambda d: "nan" in d.detail and _special_values(d)),
    Known(("lerp", "Tensor.lerp"), ("grad",), "lerp's weight (or end) gradient with an "
          "infinite operand: minigrad's where() of the two formulas multiplies the unused "
          "one's zero gradient by the infinity (NaN) where torch's kernel gives +-inf",
          when=lambda d: "nan" in d.detail and "inf" in repr(d.program)),
    Known(("F.huber_loss", "F.smooth_l1_loss", "F.l1_loss", "F.binary_cross_entropy",
           "F.kl_div"), ("raise", "error type"), "lenient: a loss of an integer input and a "
          "float target, which torch refuses (its result dtype cannot be cast to the input's, "
          "or the dtypes must match); minigrad computes it in the float dtype",
          details=("can't be cast to the desired output type", "Found dtype")),
    Known(("mm", "Tensor.mm", "bmm", "Tensor.bmm", "mv", "Tensor.mv", "outer", "Tensor.outer",
           "ger", "Tensor.ger", "einsum", "F.prelu", "F.conv1d", "F.conv_transpose2d"),
          ("raise",), "products of bool tensors "
          "work in minigrad (torch has no kernel; see the matmul entry)",
          details=("not implemented for 'Bool'",)),
    Known(("mv", "Tensor.mv"), ("error type",), "mv of a 0-d matrix: torch's first check "
          "raises IndexError (no dim 0), minigrad's shape check RuntimeError",
          details=("Dimension specified as 0 but tensor has no dimensions",)),
    Known(("F.embedding", "index_select", "Tensor.index_select"), ("error type",), "torch "
          "quirk: an out-of-range index raises RuntimeError ('INDICES element is out of DATA "
          "bounds') in some of its kernels (int32 indices, float32 data) and IndexError in "
          "others, as minigrad's does always",
          details=("INDICES element is out of DATA bounds",)),
    Known(("scatter", "Tensor.scatter", "Tensor.scatter_", "scatter_add", "Tensor.scatter_add",
           "Tensor.scatter_add_", "gather", "Tensor.gather", "take_along_dim",
           "Tensor.take_along_dim"), ("raise", "error type"), "torch quirk: an "
          "empty index of a non-integer dtype passes (nothing is checked when there is "
          "nothing to write); minigrad checks the dtype first",
          details=("Expected dtype int64 for index",)),
    Known(("index_add", "Tensor.index_add", "Tensor.index_add_", "repeat_interleave",
           "Tensor.repeat_interleave"), ("raise", "error type"), "torch quirk: with an empty input nothing "
          "is checked (index_add's positions into an empty dim, repeat_interleave's negative "
          "counts); minigrad checks them", when=lambda d: "reshape(0" in repr(d.program) or
          "tensor([]" in repr(d.program)),
    Known(("index_select", "Tensor.index_select", "index_add", "Tensor.index_add",
           "Tensor.index_add_"), ("error type",), "an index into an empty dim: torch's first "
          "check ('self indexing axis dim should be positive') is a RuntimeError, minigrad's "
          "bounds check an IndexError", details=("self indexing axis dim should be positive",)),
    Known(("F.group_norm", "F.layer_norm", "F.batch_norm"), ("value", "grad"), "an infinite "
          "weight (or statistics): torch's fused kernel computes x * (rstd * w) + (b - mean * "
          "rstd * w), whose inf - inf is NaN where minigrad's (x - mean) * rstd * w + b is "
          "infinite", when=lambda d: "inf" in repr(d.program)),
    Known(("F.conv_transpose2d",), ("raise",), "torch quirk: an output of size 0 raises "
          "('Output size is too small') only when an input requires grad; without, torch "
          "returns the empty tensor, as minigrad does always",
          details=("Output size is too small",)),
    Known(("F.scaled_dot_product_attention",), ("value", "grad"), "infinite or NaN "
          "queries, keys or values: a row of NaN scores is 0 in torch's fused safe softmax "
          "(NaN in minigrad's, which zeroes rows of -inf only), and its fused backward "
          "spreads NaN over rows that minigrad's composite leaves at 0",
          when=lambda d: "nan" in repr(d.program) or "inf" in repr(d.program)),
    Known(("Tensor.masked_fill_", "Tensor.scatter_", "Tensor.scatter_add_",
           "Tensor.index_add_"), ("raise",), "in-place semantics (another issue's): minigrad "
          "does not yet refuse an in-place write into a view of a leaf that requires grad "
          "(and takes tile's copy for such a view)",
          details=("a view of a leaf Variable that requires grad",)),
    Known(("Tensor.new_tensor",), ("raise",), "creation from Python numbers (another "
          "issue's): torch refuses a NaN or an infinity converted to an integer dtype "
          "(overflow); minigrad converts as NumPy does",
          details=("cannot be converted to type int64 without overflow",)),
    Known(("F.avg_pool2d", "F.adaptive_avg_pool2d", "F.adaptive_max_pool2d",
           "Tensor.repeat_interleave", "repeat_interleave", "F.batch_norm", "F.group_norm"),
          ("error type",), "an argument with two faults (too few dims and something else, an "
          "empty batch): torch and minigrad name different ones first",
          when=lambda d: any(t in d.detail for t in (
              "Dimension out of range", "Input dimension should be at least",
              "Dimension specified as", "movedim: Invalid", "Expected more than 1 value",
              "divisible by num_groups", "select(): index 0 out of range"))),
    Known(("index_add", "Tensor.index_add", "Tensor.index_add_"), ("error type",), "torch "
          "quirk: a position out of range raises IndexError ('index out of range in self') "
          "from one kernel and RuntimeError ('index -1 is out of bounds') from another, by "
          "the tensor's rank; minigrad raises IndexError",
          details=("is out of bounds for dimension",)),
    Known(("take_along_dim", "Tensor.take_along_dim"), ("raise",), "torch bug: "
          "take_along_dim with a dim does not check its indices (a position past the end "
          "reads whatever lies there); minigrad refuses it, as gather does",
          details=("is out of bounds for dimension",)),
    Known(("Tensor.masked_fill_", "Tensor.scatter_", "Tensor.scatter_add_",
           "Tensor.index_add_"), ("raise",), "repeat/tile with a zero count returns a "
          "read-only empty broadcast view in minigrad, so an in-place write into that empty "
          "result fails (torch's is a copy); harmless (nothing to write)",
          details=("assignment destination is read-only",)),
    Known(("F.adaptive_max_pool2d",), ("raise", "grad"), "adaptive max pooling to an output "
          "size of 0 is refused (torch returns an empty tensor); and its backward sends the "
          "gradient back with 0/1 selection matrices (a product, no scatter in the hot path), "
          "so an infinite or NaN upstream gradient spreads NaN over its window where torch "
          "puts 0", when=lambda d: "max() arg is an empty sequence" in d.detail or (
              len(d.program.steps) > 1 and "nan" in d.detail)),
    Known(("F.smooth_l1_loss", "F.huber_loss", "F.l1_loss"), ("raise",), "a bool input with "
          "a float target: torch promotes bool - float, minigrad's subtraction refuses bool "
          "operands (type promotion is another issue's)", details=("with a bool tensor",)),
    Known(("F.pad",), ("raise",), "torch quirk: a reflect/replicate pad of a tensor with an "
          "empty batch dim is refused (even a zero pad); minigrad pads (nothing)",
          details=("Expected 2D or 3D (batch mode) tensor with possibly 0 batch size",)),
    Known(("take_along_dim", "Tensor.take_along_dim"), ("raise",), "torch bug: "
          "take_along_dim without a dim flattens its input with view(), which fails on a "
          "non-contiguous tensor (a moved dim); minigrad reshapes",
          details=("view size is not compatible",)),
    Known(("F.adaptive_avg_pool2d", "F.adaptive_max_pool2d"), ("raise",), "an output size of 0 "
          "(torch returns an empty tensor; minigrad's window matrices refuse it), and a 2-d "
          "input, which torch takes as one (H, W) plane though its documentation asks for 3-d "
          "or 4-d, as minigrad does", details=("mismatch in its core dimension",
                                               "non-empty 3D or 4D (batch mode) tensor")),
    Known(("F.conv1d", "F.conv_transpose2d"), ("value", "grad"), "with infinite or NaN "
          "inputs, torch's convolutions and minigrad's im2col + matrix products meet the "
          "infinities in different sums (see the conv2d entry)",
          when=lambda d: "inf" in repr(d.program) or "nan" in repr(d.program)),
    Known(("F.cosine_similarity",), ("grad",), "eps=0 and a zero vector: 0 / 0 in both; "
          "torch's gradient is NaN there, minigrad's infinite",
          when=lambda d: "eps=0.0" in repr(d.program)),
    Known(("F.adaptive_avg_pool2d",), ("raise",), "torch quirk: pooling to an output size of "
          "0 returns the empty tensor before its dtype check",
          when=lambda d: "not implemented for" in d.detail and ", 0)" in repr(d.program)),
]


def _nonfinite(d):
    return "inf" in repr(d.program) or "nan" in repr(d.program) or "nan" in d.detail


def _values_tie(d):
    """The program's values agree on both sides (only the indices differ): kthvalue/topk
    among equal elements."""
    import minigrad
    import torch

    from .compare import _compare_values, run
    th, mg = run(d.program, torch, backward=False), run(d.program, minigrad, backward=False)
    if th.error is not None or mg.error is not None or not isinstance(th.value, tuple) or \
            not isinstance(mg.value, tuple) or th.value[:1] == ("tensor",):
        return False
    return _compare_values(th.value[0], mg.value[0], 1e-5, 1e-6, True) is None


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
    Known(("logcumsumexp", "Tensor.logcumsumexp"), ("grad2",), "logcumsumexp's second "
          "derivative next to an infinite input (torch ~0, minigrad NaN), or at a pole of what "
          "follows (log1p(-1): torch -inf, minigrad NaN)",
          when=lambda d: "inf" in repr(d.program) or "inf" in d.detail),
    # (found once the ops of shaped.py were drawn)
    Known(("F.layer_norm", "F.batch_norm", "F.group_norm"), ("grad2",), "torch bug: its "
          "double backward of a norm with a bias but no weight fails ('Expected a proper "
          "Tensor but got None'); minigrad differentiates it",
          details=("Expected a proper Tensor but got None",)),
    Known(("F.cosine_similarity",), ("grad2",), "the second derivative at a zero vector (as "
          "the norm's entry): torch NaN, minigrad 0 (or finite)", when=_special_values),
    Known(("F.l1_loss", "F.huber_loss", "F.smooth_l1_loss"), ("grad2",), "piecewise losses "
          "after an infinite or NaN gradient, or at NaN: l1_loss's gradient sign(x - y) is a "
          "constant in minigrad (its second derivative 0) where torch's is 0 times what came "
          "before (NaN at an infinity); huber/smooth_l1 at NaN take the quadratic branch "
          "(second derivative 1, torch's 0)", when=_special_values),
    Known(("F.binary_cross_entropy",), ("grad2",), "the second derivative at a probability "
          "of exactly 0 or 1: torch's double-backward formula divides by (x + eps)^2 (1 - x "
          "+ eps)^2, minigrad differentiates its clamped first derivative; they agree inside "
          "(0, 1)", when=lambda d: bool(_ZERO_OR_ONE.search(repr(d.program)))),
    Known(("F.scaled_dot_product_attention",), ("grad2",), "torch limitation: its fused CPU "
          "attention kernel has no double backward ('derivative for "
          "aten::_scaled_dot_product_flash_attention_for_cpu_backward is not implemented'); "
          "minigrad's composite has one", details=("flash_attention_for_cpu_backward",)),
    Known(("F.scaled_dot_product_attention", "F.kl_div"), ("grad2",), "second derivatives "
          "with infinite or NaN inputs (attention's scores, kl_div's target at 0): torch's "
          "fused formulas and minigrad's composites meet them in different places (NaN "
          "where the other is finite)", when=_special_values),
    Known(("F.group_norm",), ("grad2",), "group_norm's second derivatives where a group's "
          "values are equal or infinite: torch's fused double backward leaves rounding "
          "noise (~1e-10) or NaN where minigrad's composite gives 0 (the so3 helper works on "
          "group_norm's second order)", when=_special_values),
]

_ZERO_OR_ONE = re.compile(r"(?<![\d.e])-?[01]\.0*(?![\d])")


def known_reason(d):
    for k in KNOWN + KNOWN_ORDER2:
        if k.matches(d):
            return k.reason
    return None
