"""Convolution and max pooling: each forward with its backward, the derivative on top.

Shapes are PyTorch's: input (N, C, H, W) or unbatched (C, H, W); conv weight
(O, C/groups, kh, kw); stride, padding and dilation are an int or a pair (rows, columns).

How a convolution becomes one matrix product (im2col). Every output pixel is a dot
product between the weights and the kh x kw window of input under it. Copy each window
into a column of a matrix, ``cols`` (C*kh*kw rows, one column per output pixel and
sample), and the whole convolution is ``weight (O, C*kh*kw) @ cols``. Backward is then
the matmul rule (d(W @ X) = (g @ X^T, W^T @ g)) followed by col2im, which adds each
column of W^T @ g back onto the pixels its window came from (windows overlap, so the
contributions add up). The window copies live in ``backend`` (``im2col``/``col2im``).
That is the fast path. The plain reference (``plain_conv2d``, ``Convolution.plain_backward``)
writes the same convolution as a sum over the kernel offsets of strided slices, in plain
Array API calls: read it first; the engine runs it under ``create_graph=True``.

Max pooling takes the largest value of each window; its gradient flows only to that
element (the first one in row-major order when several tie, as in PyTorch).
"""
import functools

from .. import backend
from ..autograd import Op, is_grad_enabled
from ..backend import (batch_fastest, col2im, conv_out_size, device_of, dtype_of,
                       has_strides, im2col, im2col_per_sample, padded_hcwn, window_slice)
from ..tensor import Tensor


def _xp(a):
    return device_of(a).xp


# ------------------------------------------------------------------ convolution


class Convolution(Op):
    """d conv2d(x, w, b) = (col2im(w^T @ g), g @ cols^T, sum of g over batch and pixels)

    Forward: out[n, o, h, w] = b[o] + sum_{c,i,j} w[o, c, i, j] * xpad[n, c, h*sh + i*dh,
    w*sw + j*dw], i.e. ``w @ cols + b`` with ``cols = im2col(x)``. With groups, the
    channels split into ``groups`` independent convolutions (a batch of matmuls).
    """

    def forward(ctx, x, weight, bias, stride, pads, dilation, groups):
        xp = _xp(x)
        # for plain_backward (the weight only when x's gradient needs it, like the fast path)
        ctx.input, ctx.weight = x, (weight if ctx.needs_input_grad[0] else None)
        ctx.unbatched = x.ndim == 3
        if ctx.unbatched:
            x = xp.expand_dims(x, axis=0)
        n, _, h, w = x.shape
        o, cg, kh, kw = weight.shape
        k = cg * kh * kw  # inputs per output pixel (per group)
        ho = conv_out_size(pads[0] + h + pads[1], kh, stride[0], dilation[0])
        wo = conv_out_size(pads[2] + w + pads[3], kw, stride[1], dilation[1])
        # The bias as one more weight column, times a row of ones in cols:
        # [w | b] @ [cols; 1] = w @ cols + b, and the bias gradient comes out of the weight
        # gradient's matmul as its last column (saves two passes over the output).
        fold = bias is not None and groups == 1
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        ctx.w_shape, ctx.groups, ctx.fold = weight.shape, groups, fold
        ctx.x = x  # kept alive by the graph anyway (its shape, and per-sample windows)
        ctx.conf = ((kh, kw), stride, dilation, pads)

        # Long windows: one big matrix product (OpenBLAS is up to 2.5x faster at it);
        # short ones (a first layer's): one product per output row (see backend's notes)
        ctx.one_product = groups == 1 and k >= 64
        if ctx.one_product:
            cols = im2col(x, (kh, kw), stride, dilation, pads, ones_row=fold, k_first=True)
            cols = xp.reshape(cols, (cols.shape[0], ho * wo * n))         # (k [+1], Ho*Wo*N)
            w2 = xp.reshape(weight, (o, k))
            wb = xp.concat([w2, xp.reshape(bias, (o, 1))], axis=1) if fold else w2
            out = xp.matmul(wb, cols)                                     # (O, Ho*Wo*N)
            ctx.cols = cols if (need_w or (need_b and fold)) else None
            ctx.w2 = w2 if need_x else None
            # memory (O, Ho, Wo, N), seen as (N, O, Ho, Wo): no copy
            out = xp.permute_dims(xp.reshape(out, (o, ho, wo, n)), (3, 0, 1, 2))
            return out[0, ...] if ctx.unbatched else out
        # cols: one (C*kh*kw, Wo*N) matrix per output row (see backend's im2col notes)
        cols = im2col(x, (kh, kw), stride, dilation, pads, ones_row=fold)
        cols = xp.reshape(cols, (ho, groups, cols.shape[1] // groups, wo * n))
        w3 = xp.reshape(weight, (groups, o // groups, k))
        wb = xp.concat([w3, xp.reshape(bias, (1, o, 1))], axis=2) if fold else w3
        out = xp.reshape(xp.matmul(wb, cols), (ho, o, wo * n))   # (Ho, O, Wo*N)
        if bias is not None and not fold:
            out += xp.reshape(bias, (o, 1))
        ctx.cols = cols if (need_w or (need_b and fold)) else None
        ctx.w3 = w3 if need_x else None
        # memory (Ho, O, Wo, N), seen as (N, O, Ho, Wo): no copy
        out = xp.permute_dims(xp.reshape(out, (ho, o, wo, n)), (3, 1, 0, 2))
        return out[0, ...] if ctx.unbatched else out

    recomputed = ("x", "cols", "w2", "w3")  # the fast backward's layouts of x and the weight

    def plain_backward(ctx, g):
        """The reference, offset by offset (see ``plain_conv2d``): with window(i, j) the
        slice of the padded input that kernel offset (i, j) sees,
            gw[:, :, i, j] = sum over samples and pixels of g @ window(i, j)^T
            gx             = the sum of w[:, :, i, j]^T @ g, each added back at window(i, j)
            gb             = sum of g over samples and pixels
        The engine runs it under create_graph (g a Tensor), where speed does not matter."""
        xp = _xp(g)
        x, weight, groups = ctx.input, ctx.weight, ctx.groups
        if ctx.unbatched:
            x, g = xp.expand_dims(x, axis=0), xp.expand_dims(g, axis=0)
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        kernel, stride, dilation, pads = ctx.conf
        n, c, h, w = x.shape
        o, cg, kh, kw = ctx.w_shape
        ho, wo = g.shape[2:]
        g_groups = xp.reshape(g, (n, groups, o // groups, ho * wo))
        xpad = _pad2d(xp, x, pads)
        gxpad = xp.zeros(xpad.shape, dtype=g.dtype) if need_x else None
        gw_offsets = []
        for i, j, key in _offsets(kernel, stride, dilation, (ho, wo)):
            if need_w:
                window = xp.reshape(xpad[key], (n, groups, cg, ho * wo))
                gw_offsets.append(xp.sum(xp.matmul(g_groups, window.mT), axis=0))
            if need_x:
                w_ij = xp.reshape(weight[:, :, i, j], (groups, o // groups, cg))
                gxpad[key] += xp.reshape(xp.matmul(w_ij.mT, g_groups), (n, c, ho, wo))
        gx = gw = gb = None
        if need_x:
            top, _, left, _ = pads
            gx = gxpad[:, :, top:top + h, left:left + w]
            gx = gx[0, ...] if ctx.unbatched else gx
        if need_w:  # (groups, O/groups, C/groups, kh*kw) -> (O, C/groups, kh, kw)
            gw = xp.reshape(xp.stack(gw_offsets, axis=-1), ctx.w_shape)
        if need_b:
            gb = xp.sum(g, axis=(0, 2, 3))
        return gx, gw, gb

    def backward(ctx, g):
        if backend.is_recording(g):
            return ctx.plain_backward(g)
        # ---- fast path: same result as plain_backward, by im2col and big matrix products ----
        xp = _xp(g)
        if ctx.unbatched:
            g = xp.expand_dims(g, axis=0)
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        n, o, ho, wo = g.shape
        groups, k = ctx.groups, ctx.w_shape[1] * ctx.w_shape[2] * ctx.w_shape[3]
        gx = gw = gb = None
        if ctx.one_product:
            # (O, Ho*Wo*N): free when g has our output's layout, one copy otherwise
            g2 = xp.reshape(xp.permute_dims(g, (1, 2, 3, 0)), (o, ho * wo * n))
            if need_w or need_b:
                gwb = xp.matmul(ctx.cols, g2.mT).mT     # (O, k [+1]); faster than g2 @ cols^T
                if need_w:
                    gw = xp.reshape(gwb[:, :k], ctx.w_shape)
                if need_b:
                    gb = gwb[:, k]
            if need_x:
                gcols = xp.reshape(xp.matmul(ctx.w2.mT, g2), (k, ho, wo * n))
                gx = col2im(gcols, ctx.x.shape, *ctx.conf, k_first=True)
                if ctx.unbatched:
                    gx = gx[0, ...]
            return gx, gw, gb
        g4 = _rows_layout(g, groups) if need_x else None  # (Ho, groups, O/groups, Wo*N)
        if need_b and not ctx.fold:
            gb = xp.sum(g, axis=(0, 2, 3))
        if need_w or (need_b and ctx.fold):
            gwb = _weight_grad(ctx, g, g4)                     # (groups, O/groups, k [+1])
            if need_w:
                gw = xp.reshape(gwb[..., :k], ctx.w_shape)
            if need_b and ctx.fold:
                gb = xp.reshape(gwb[..., k], (o,))
        if need_x:
            gcols = xp.matmul(ctx.w3.mT, g4)                   # (Ho, groups, k, Wo*N)
            gcols = xp.reshape(gcols, (ho, groups * k, wo * n))
            gx = col2im(gcols, ctx.x.shape, *ctx.conf)
            if ctx.unbatched:
                gx = gx[0, ...]
        return gx, gw, gb


def _rows_layout(g, groups):
    """g (N, O, Ho, Wo) as (Ho, groups, O/groups, Wo*N), the layout of the forward's product:
    free when g has the layout conv2d's output has, one transposing copy otherwise."""
    xp = _xp(g)
    n, o, ho, wo = g.shape
    return xp.reshape(xp.permute_dims(g, (2, 1, 3, 0)), (ho, groups, o // groups, wo * n))


def _weight_grad(ctx, g, g4=None):
    """The sum over samples and output pixels of g times cols: (groups, O/groups, rows of cols).

    Usually g arrives in the layout of our forward's output (from the next layer's
    backward), and this is the sum over output rows h of (cols[h] @ g4[h]^T)^T, with g4 =
    ``_rows_layout(g)`` (free then). A g in plain (N, O, Ho, Wo) memory (a user's gradient,
    as in a benchmark) needs a transposing copy for g4; unless that copy is made anyway
    (``g4`` given, for the input gradient), if cols is the smaller of the two, take the
    windows once more from x, one matrix per sample, and multiply sample by sample.
    """
    xp = _xp(g)
    cols, groups = ctx.cols, ctx.groups
    n, o, ho, wo = g.shape
    kk = cols.shape[2]
    if g4 is not None or not has_strides(g) or batch_fastest(g) or kk >= o // groups:
        g4 = _rows_layout(g, groups) if g4 is None else g4
        return xp.sum(xp.matmul(cols, g4.mT), axis=0).mT
    # per sample: g[n] (groups, O/groups, Ho*Wo) @ cols_n^T (groups, Ho*Wo, kk); cols_n is
    # copied from x afresh (5x faster than rearranging cols, whose batch axis is innermost)
    kernel, stride, dilation, pads = ctx.conf
    cols_n = im2col_per_sample(ctx.x, kernel, stride, dilation, pads, ones_row=ctx.fold)
    cols_n = xp.reshape(cols_n, (n, groups, kk, ho * wo))
    g_n = xp.reshape(g, (n, groups, o // groups, ho * wo))
    return xp.sum(xp.matmul(g_n, cols_n.mT), axis=0)


# ------------------------------------------------------------------ the plain reference
#
# A convolution is also a sum over the kernel offsets (i, j): offset (i, j) of every window,
# across the whole output, is one strided slice of the padded input,
#     window(i, j) = xpad[:, :, i*dh + sh*(0 .. Ho-1), j*dw + sw*(0 .. Wo-1)]     (N, C, Ho, Wo)
# and the output is the sum over offsets of w[:, :, i, j] @ window(i, j), a 1x1 convolution
# each. Plain Array API calls on whole arrays, no copies of windows: the engine records this
# form under create_graph (``Convolution.plain_backward``); ``plain_conv2d`` is its forward.


def _offsets(kernel, stride, dilation, out_size):
    """(i, j, index of window(i, j)) for every kernel offset, in row-major order."""
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out_size
    for i in range(kh):
        for j in range(kw):
            yield i, j, (slice(None), slice(None), window_slice(i, dh, sh, ho),
                         window_slice(j, dw, sw, wo))


def _pad2d(xp, x, pads):
    """x (N, C, H, W) with (top, bottom, left, right) rows and columns of zeros added."""
    top, bottom, left, right = pads
    n, c, h, w = x.shape
    rows = [xp.zeros((n, c, p, w), dtype=x.dtype) for p in (top, bottom)]
    x = xp.concat([rows[0], x, rows[1]], axis=2)
    cols = [xp.zeros((n, c, h + top + bottom, p), dtype=x.dtype) for p in (left, right)]
    return xp.concat([cols[0], x, cols[1]], axis=3)


def plain_conv2d(xp, x, weight, bias, stride, pads, dilation, groups):
    """conv2d of x (N, C, H, W) as the sum over kernel offsets of w[:, :, i, j] @ window(i, j)
    (channels split into ``groups``): the reference the fast ``Convolution`` agrees with."""
    n, c, h, w = x.shape
    o, cg, kh, kw = weight.shape
    ho = conv_out_size(pads[0] + h + pads[1], kh, stride[0], dilation[0])
    wo = conv_out_size(pads[2] + w + pads[3], kw, stride[1], dilation[1])
    xpad = _pad2d(xp, x, pads)
    out = 0
    for i, j, key in _offsets((kh, kw), stride, dilation, (ho, wo)):
        window = xp.reshape(xpad[key], (n, groups, cg, ho * wo))
        w_ij = xp.reshape(weight[:, :, i, j], (groups, o // groups, cg))
        out = out + xp.matmul(w_ij, window)              # (N, groups, O/groups, Ho*Wo)
    out = xp.reshape(out, (n, o, ho, wo))
    return out if bias is None else out + xp.reshape(bias, (1, o, 1, 1))


# ------------------------------------------------------------------ max pooling


class MaxPool2DWithIndices(Op):
    """d max_pool2d(x) = g sent to the first maximal element of each window (0 elsewhere)

    Forward scans the kernel offsets (i, j) in row-major order, keeping a running maximum
    and which offset holds it: a later offset takes over only when strictly greater (so
    ties go to the first, as in PyTorch) or NaN (NaN propagates, as in PyTorch). Backward
    adds g, per offset, onto the input pixels where that offset held the maximum (as
    g * mask, so an infinite g also puts NaN on its window's other pixels, where PyTorch
    puts 0).
    """

    def forward(ctx, x, kernel, stride, pads, dilation, out_size, indices_out=None):
        xp = _xp(x)
        ctx.unbatched = x.ndim == 3
        if ctx.unbatched:
            x = xp.expand_dims(x, axis=0)
        (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out_size
        ctx.conf = (kernel, stride, pads, dilation, out_size)
        ctx.x = x  # kept alive by the graph anyway; backward writes dx in its memory layout
        padded = any(pads)
        low = -float("inf") if dtype_of(x).is_floating_point else xp.iinfo(x.dtype).min
        if padded:  # pad with the lowest value, so padding never wins a window
            x = xp.permute_dims(padded_hcwn(x, pads, low), (3, 1, 0, 2))
        windows = [x[:, :, window_slice(i, dh, sh, ho), window_slice(j, dw, sw, wo)]
                   for i in range(kh) for j in range(kw)]  # one strided view per offset
        if indices_out is None and not (ctx.needs_input_grad[0] and is_grad_enabled()):
            best = windows[0]  # values only (no_grad / inference)
            for win in windows[1:]:
                best = xp.maximum(best, win)  # NaN propagates
            if len(windows) == 1:
                best = xp.asarray(best, copy=True)
        else:
            # On the host, look for the rare cases first; elsewhere (a GPU) handle them
            # always, since looking would synchronise (see backend.on_host).
            host = backend.on_host(x)
            floating = dtype_of(x).is_floating_point
            best, index = _running_max(windows, nan_aware=floating and not host)
            if floating and host and bool(xp.any(best != best)):
                best, index = _running_max(windows, nan_aware=True)  # rare: a window has NaN
            if padded and (not host or bool(xp.any(best == low))):
                # rare: a window whose real elements all equal the padding value (-inf);
                # PyTorch then picks the window's first element inside the input
                first = _first_inside(kernel, stride, pads[0::2], dilation, out_size,
                                      index.dtype, xp)
                index = xp.where(best == low, first, index)
            ctx.index = index
            if indices_out is not None:
                indices_out.append(_flat_indices(index, ctx.x.shape, kernel, stride, pads,
                                                 dilation))
        return best[0, ...] if ctx.unbatched else best

    def backward(ctx, g):
        xp = _xp(g)
        if ctx.unbatched:
            g = xp.expand_dims(g, axis=0)
        (kh, kw), (sh, sw), pads, (dh, dw), (ho, wo) = ctx.conf
        n, c, h, w = ctx.x.shape
        top, bottom, left, right = pads
        hp, wp = top + h + bottom, left + w + right
        padded = any(pads)
        # Windows that do not overlap fill disjoint pixels: assign instead of add.
        disjoint = sh >= dh * (kh - 1) + 1 and sw >= dw * (kw - 1) + 1
        # NumPy/CuPy arrays (not the Tensors of create_graph) laid out in memory like the
        # pooled output (as the next layer's backward returns them; a g in another layout
        # would be read all over memory): g * mask is written straight into dx's window
        # view (no temporaries); and when the windows tile the input exactly (2x2
        # pooling, stride 2, even sizes), every pixel is written, so dx needs no zeros
        direct = disjoint and has_strides(g) and _memory_order(g) == _memory_order(ctx.index)
        tiled = direct and (dh, dw) == (1, 1) and (kh, kw) == (sh, sw) and (
            ho * sh, wo * sw) == (hp, wp)
        # dx laid out in memory like the windows forward read (cheaper writes, and the
        # layout that the layer before, often a conv, wants its gradient in): the
        # input's own layout, or, when padded, the padded copy's (batch fastest)
        if padded:
            new = xp.empty if tiled else xp.zeros
            dx = xp.permute_dims(new((hp, c, wp, n), dtype=g.dtype), (3, 1, 0, 2))
        else:
            dx = (xp.empty_like if tiled else xp.zeros_like)(ctx.x, dtype=g.dtype)
        index = ctx.index
        for k in range(kh * kw):
            i, j = divmod(k, kw)
            key = (slice(None), slice(None), window_slice(i, dh, sh, ho),
                   window_slice(j, dw, sw, wo))
            if direct:  # the same numbers as below: g times the mask cast to g's dtype
                xp.multiply(g, index == k, out=dx[key])
                continue
            part = g * xp.astype(index == k, g.dtype)  # g where offset k held the maximum
            if disjoint:
                dx[key] = part
            else:
                dx[key] += part
        if padded:
            dx = dx[:, :, top:top + h, left:left + w]
        return dx[0, ...] if ctx.unbatched else dx


def _memory_order(a):
    """a's axes from the outermost in memory to the innermost (NumPy/CuPy strides)."""
    return sorted(range(a.ndim), key=lambda i: -a.strides[i])


def _running_max(windows, nan_aware):
    """Scan the windows (one per kernel offset, row-major): the running maximum, and the
    offset k where it was found. A later offset takes over only when strictly greater, so
    ties stay with the first; ``nan_aware``: also when NaN (PyTorch's rule: the last NaN).
    Plain arithmetic, not xp.where: NumPy's where is branchy, ~10x slower on the
    unpredictable masks max pooling produces."""
    xp = _xp(windows[0])
    index_dtype = xp.uint8 if len(windows) <= 256 else xp.int32
    best = windows[0]
    index = xp.zeros_like(best, dtype=index_dtype)
    for k, win in enumerate(windows[1:], start=1):
        better = win > best
        if nan_aware:
            better = better | (win != win)
        best = xp.maximum(best, win)  # NaN propagates, as in PyTorch
        index = xp.maximum(index, xp.astype(better, index_dtype) * k)  # k where better
    if len(windows) == 1:
        best = xp.asarray(best, copy=True)
    return best, index


@functools.lru_cache(maxsize=64)
def _first_inside(kernel, stride, pads, dilation, out_size, dtype, xp):
    """(Ho, Wo): the kernel offset k = i*kw + j of each window's first element that lies
    inside the input (not in the top/left padding). Cached: made from Python lists, it
    would be a host-to-device copy at every step on a GPU."""
    firsts = []
    for n, s, p, d in zip(out_size, stride, pads, dilation):
        start = [h * s - p for h in range(n)]              # first row (column) of each window
        firsts.append([-(r // d) if r < 0 else 0 for r in start])  # ceil(-r / d) offsets
    (kh, kw), (rows, cols) = kernel, firsts
    first = [[min(i, kh - 1) * kw + min(j, kw - 1) for j in cols] for i in rows]
    return xp.asarray(first, dtype=dtype)


def _flat_indices(index, x_shape, kernel, stride, pads, dilation):
    """PyTorch's return_indices: position (row * W + column) of each maximum in its input plane."""
    xp = _xp(index)
    n, c, h, w = x_shape
    kw = kernel[1]
    ho, wo = index.shape[-2:]
    offset = xp.astype(index, xp.int64)
    i, j = offset // kw, offset % kw
    rows = xp.reshape(xp.arange(ho, dtype=xp.int64) * stride[0] - pads[0], (ho, 1))
    cols = xp.reshape(xp.arange(wo, dtype=xp.int64) * stride[1] - pads[2], (1, wo))
    return (rows + i * dilation[0]) * w + cols + j * dilation[1]


# ------------------------------------------------------- argument checking

_C_TYPE_NAMES = {"float32": "float", "float64": "double", "int64": "long", "int32": "int",
                 "uint8": "unsigned char", "bool": "bool"}


def _type_name(t):
    return _C_TYPE_NAMES.get(t.dtype.name, t.dtype.name)


def _pair(value, name, fn):
    """An int or a sequence of two ints, as a tuple of two ints."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (value, value)
    if isinstance(value, (tuple, list)):
        if len(value) == 1:
            value = (value[0], value[0])
        if len(value) == 2 and all(isinstance(v, int) for v in value):
            return (int(value[0]), int(value[1]))
    if fn == "conv2d":
        raise RuntimeError(f"expected {name} to be a single integer value or a list of 2 "
                           f"values to match the convolution dimensions, but got "
                           f"{name}={list(value) if isinstance(value, (tuple, list)) else value}")
    raise RuntimeError(f"max_pool2d: {name} must either be a single int, or a tuple of two ints")


def _shape_str(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _tensor_arg(value, name, fn):
    if not isinstance(value, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' (position "
                        f"{1 if name == 'input' else 2}) must be Tensor, not "
                        f"{type(value).__name__}")


def _conv_pads(padding, kernel, stride, dilation):
    """(top, bottom, left, right) from an int, a pair, 'valid' or 'same'."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0)
        if padding != "same":
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        if stride != (1, 1):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        pads = []
        for k, d in zip(kernel, dilation):  # total d*(k-1); an odd extra goes after
            total = d * (k - 1)
            pads += [total // 2, total - total // 2]
        return tuple(pads)
    ph, pw = _pair(padding, "padding", "conv2d")
    if ph < 0 or pw < 0:
        raise RuntimeError("negative padding is not supported")
    return (ph, ph, pw, pw)


# ------------------------------------------------------- tensor-level functions


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation, as in PyTorch) of ``input`` (N, C, H, W) or
    (C, H, W) with ``weight`` (O, C/groups, kh, kw), plus ``bias`` (O,) if given.

    ``padding`` is an int, a pair, ``'valid'`` (none) or ``'same'`` (output as large as
    the input; stride 1 only). Output: (N, O, Ho, Wo) with
    Ho = floor((H + 2*padding - dilation*(kh - 1) - 1) / stride) + 1 (likewise Wo).
    """
    _tensor_arg(input, "input", "conv2d")
    _tensor_arg(weight, "weight", "conv2d")
    stride = _pair(stride, "stride", "conv2d")
    dilation = _pair(dilation, "dilation", "conv2d")
    if stride[0] <= 0 or stride[1] <= 0:
        raise RuntimeError("non-positive stride is not supported")
    if dilation[0] <= 0 or dilation[1] <= 0:
        raise RuntimeError("non-positive dilation is not supported")
    if not isinstance(groups, int) or groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    x_shape, w_shape = tuple(input.shape), tuple(weight.shape)
    if len(x_shape) not in (3, 4):
        raise RuntimeError(f"Expected 3D (unbatched) or 4D (batched) input to conv2d, but got "
                           f"input of size: {_shape_str(x_shape)}")
    if len(w_shape) != 4:
        raise RuntimeError(f"Expected 4D weight for conv2d (out_channels, in_channels/groups, "
                           f"kH, kW), but got weight of size {_shape_str(w_shape)}")
    o, cg, kh, kw = w_shape
    if o % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{_shape_str(w_shape)}] "
                           f"instead")
    c = x_shape[-3]
    if c != cg * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {_shape_str(w_shape)}, "
                           f"expected input{_shape_str(x_shape)} to have {cg * groups} "
                           f"channels, but got {c} channels instead")
    if bias is not None:
        _tensor_arg(bias, "bias", "conv2d")
        if tuple(bias.shape) != (o,):
            raise RuntimeError(f"Given weight of size {_shape_str(w_shape)}, expected bias to be "
                               f"1-dimensional with {o} elements, but got bias of size "
                               f"{_shape_str(bias.shape)} instead")
    if input.dtype is not weight.dtype:
        raise RuntimeError(f"Input type ({_type_name(input)}) and weight type "
                           f"({_type_name(weight)}) should be the same")
    if bias is not None and bias.dtype is not input.dtype:
        raise RuntimeError(f"Input type ({_type_name(input)}) and bias type "
                           f"({_type_name(bias)}) should be the same")
    pads = _conv_pads(padding, (kh, kw), stride, dilation)
    hp, wp = pads[0] + x_shape[-2] + pads[1], pads[2] + x_shape[-1] + pads[3]
    eh, ew = dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1
    if hp < eh or wp < ew:
        raise RuntimeError(f"Calculated padded input size per channel: ({hp} x {wp}). Kernel "
                           f"size: ({eh} x {ew}). Kernel size can't be greater than actual "
                           f"input size")
    return Convolution.apply(input, weight, bias, stride=stride, pads=pads, dilation=dilation,
                             groups=groups)


def _pool_out_size(size, kernel, pad, stride, dilation, ceil_mode):
    """PyTorch's pooling output length (ceil_mode: a last, partial window if it starts inside
    the input or the left padding)."""
    span = size + 2 * pad - dilation * (kernel - 1) - 1
    out = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1
    return out


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """2-D max pooling of ``input`` (N, C, H, W) or (C, H, W): the maximum of each
    ``kernel_size`` window, windows ``stride`` apart (default: ``kernel_size``, i.e. not
    overlapping). ``padding`` adds -inf borders (at most half the kernel). With
    ``return_indices``, also returns where each maximum is (row * W + column in its plane).
    """
    _tensor_arg(input, "input", "max_pool2d")
    kernel = _pair(kernel_size, "kernel_size", "max_pool2d")
    if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0):
        stride = kernel
    else:
        stride = _pair(stride, "stride", "max_pool2d")
    pad = _pair(padding, "padding", "max_pool2d")
    dilation = _pair(dilation, "dilation", "max_pool2d")
    shape = tuple(input.shape)
    if len(shape) not in (3, 4) or 0 in shape[-3:]:
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input, but got "
                           f"input of size: {_shape_str(shape)}")
    if kernel[0] <= 0 or kernel[1] <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: {kernel[0]} "
                           f"kW: {kernel[1]}")
    if stride[0] <= 0 or stride[1] <= 0:
        raise RuntimeError("stride should not be zero")
    if pad[0] < 0 or pad[1] < 0:
        raise RuntimeError(f"pad must be non-negative, but got pad: {min(pad)}")
    if dilation[0] <= 0 or dilation[1] <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got dilationH: "
                           f"{dilation[0]} dilationW: {dilation[1]}")
    for p, k, d in zip(pad, kernel, dilation):
        if p > ((k - 1) * d + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={p}, kernel_size={k} and dilation={d}")
    if pad[0] > kernel[0] // 2 or pad[1] > kernel[1] // 2:
        raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but got "
                           f"padW = {pad[1]}, padH = {pad[0]}, kW = {kernel[1]}, kH = {kernel[0]}")
    h, w = shape[-2:]
    ho = _pool_out_size(h, kernel[0], pad[0], stride[0], dilation[0], ceil_mode)
    wo = _pool_out_size(w, kernel[1], pad[1], stride[1], dilation[1], ceil_mode)
    if ho < 1 or wo < 1:
        raise RuntimeError(f"Given input size: ({shape[-3]}x{h}x{w}). Calculated output size: "
                           f"({shape[-3]}x{ho}x{wo}). Output size is too small")
    # Padding for the windows: ``pad`` on the top/left, and on the bottom/right as much as
    # the last (ceil_mode: possibly partial) window needs beyond the input.
    bottom = max(0, (ho - 1) * stride[0] + dilation[0] * (kernel[0] - 1) + 1 - h - pad[0])
    right = max(0, (wo - 1) * stride[1] + dilation[1] * (kernel[1] - 1) + 1 - w - pad[1])
    pads = (pad[0], bottom, pad[1], right)
    indices = [] if return_indices else None
    out = MaxPool2DWithIndices.apply(input, kernel=kernel, stride=stride, pads=pads,
                                     dilation=dilation, out_size=(ho, wo), indices_out=indices)
    if not return_indices:
        return out
    index = indices[0]
    return out, Tensor._make(index[0, ...] if len(shape) == 3 else index, None)
