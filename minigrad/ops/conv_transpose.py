"""Transposed convolution: forward and backward side by side, the derivative on top.

A transposed convolution runs a convolution backwards: where conv2d gathers each window
of its input into one output pixel, conv_transpose2d spreads each input pixel, times the
kernel, over a window of its output (overlapping windows add up). Its forward is
conv2d's input gradient (col2im of W^T x), and its backward is a conv2d forward (im2col).
Layouts and the window copies are those of ``ops/conv.py`` and ``backend``.
"""
from .. import backend
from ..autograd import Op
from ..backend import col2im, device_of, im2col
from .conv import _offsets


def _xp(a):
    return device_of(a).xp


class ConvTranspose(Op):
    """d conv_transpose2d(x, w, b) = (w @ cols(g), x @ cols(g)^T, sum of g over N, H, W)

    cols(g) = im2col of g, uncropped: the full output before ``padding`` is cut off each
    side (and ``output_padding`` rows/columns added at the bottom/right). Weight shape
    (C_in, C_out, kh, kw); groups = 1.
    """

    def forward(ctx, x, weight, bias, stride, padding, output_padding, dilation):
        xp = _xp(x)
        ctx.input, ctx.weight = x, weight  # for plain_backward
        ctx.unbatched = x.ndim == 3
        if ctx.unbatched:
            x = xp.expand_dims(x, axis=0)
        n, cin, h, w = x.shape
        _, cout, kh, kw = weight.shape
        (sh, sw), (ph, pw), (oh, ow), (dh, dw) = stride, padding, output_padding, dilation
        # the full output that the windows cover, and the part of it that is returned
        full = ((h - 1) * sh + dh * (kh - 1) + 1, (w - 1) * sw + dw * (kw - 1) + 1)
        out_h, out_w = full[0] - 2 * ph + oh, full[1] - 2 * pw + ow
        x2 = xp.reshape(xp.permute_dims(x, (1, 2, 3, 0)), (cin, h * w * n))  # (C_in, H*W*N)
        w2 = xp.reshape(weight, (cin, cout * kh * kw))
        cols = xp.reshape(xp.matmul(w2.mT, x2), (cout * kh * kw, h, w * n))
        spread = col2im(cols, (n, cout) + full, (kh, kw), stride, dilation, k_first=True)
        out = xp.zeros((n, cout, out_h, out_w), dtype=x.dtype)
        rows, cols_ = min(out_h, full[0] - ph), min(out_w, full[1] - pw)
        out[:, :, :rows, :cols_] = spread[:, :, ph:ph + rows, pw:pw + cols_]
        if bias is not None:
            out += xp.reshape(bias, (1, cout, 1, 1))
        ctx.x2, ctx.w2, ctx.conf = x2, w2, ((kh, kw), stride, dilation, full, (ph, pw))
        ctx.shapes = (x.shape, weight.shape, rows, cols_)
        return out[0, ...] if ctx.unbatched else out

    recomputed = ("x2", "w2")  # the fast backward's 2-D layouts of x and the weight

    def plain_backward(ctx, g):
        """The same gradients offset by offset (see ``conv.plain_conv2d``): with window(i, j)
        the slice of the uncropped g that kernel offset (i, j) of every input pixel reached,
        gx = the sum of w[:, :, i, j] @ window(i, j), gw[:, :, i, j] = the sum over samples
        and pixels of x @ window(i, j)^T. Run under create_graph (g a Tensor)."""
        xp = _xp(g)
        x, weight = ctx.input, ctx.weight
        if ctx.unbatched:
            x, g = xp.expand_dims(x, axis=0), xp.expand_dims(g, axis=0)
        kernel, stride, dilation, full, (ph, pw) = ctx.conf
        (n, cin, h, w), w_shape, rows, cols_ = ctx.shapes
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        cout = w_shape[1]
        g_full = xp.zeros((n, cout) + full, dtype=g.dtype)
        g_full[:, :, ph:ph + rows, pw:pw + cols_] = g[:, :, :rows, :cols_]
        x3 = xp.reshape(x, (n, cin, h * w))
        gx, gw_offsets = 0, []
        for i, j, key in _offsets(kernel, stride, dilation, (h, w)):
            window = xp.reshape(g_full[key], (n, cout, h * w))
            if need_x:
                gx = gx + xp.matmul(weight[:, :, i, j], window)          # (N, C_in, H*W)
            if need_w:
                gw_offsets.append(xp.sum(xp.matmul(x3, window.mT), axis=0))  # (C_in, C_out)
        gx = xp.reshape(gx, (n, cin, h, w)) if need_x else None
        if need_x and ctx.unbatched:
            gx = gx[0, ...]
        gw = gb = None
        if need_w:
            gw = xp.reshape(xp.stack(gw_offsets, axis=-1), w_shape)
        if need_b:
            gb = xp.sum(g, axis=(0, 2, 3))
        return gx, gw, gb

    def backward(ctx, g):
        if backend.is_recording(g):
            return ctx.plain_backward(g)
        # ---- fast path: same result as plain_backward, by im2col and matrix products ----
        xp = _xp(g)
        if ctx.unbatched:
            g = xp.expand_dims(g, axis=0)
        kernel, stride, dilation, full, (ph, pw) = ctx.conf
        (n, cin, h, w), w_shape, rows, cols_ = ctx.shapes
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        g_full = xp.zeros((n, g.shape[1]) + full, dtype=g.dtype)
        g_full[:, :, ph:ph + rows, pw:pw + cols_] = g[:, :, :rows, :cols_]
        cols = xp.reshape(im2col(g_full, kernel, stride, dilation, k_first=True),
                          (ctx.w2.shape[1], h * w * n))    # (C_out*kh*kw, H*W*N)
        gx = gw = gb = None
        if need_x:
            gx = xp.permute_dims(xp.reshape(xp.matmul(ctx.w2, cols), (cin, h, w, n)),
                                 (3, 0, 1, 2))
            if ctx.unbatched:
                gx = gx[0, ...]
        if need_w:
            gw = xp.reshape(xp.matmul(ctx.x2, cols.mT), w_shape)
        if need_b:
            gb = xp.sum(g, axis=(0, 2, 3))
        return gx, gw, gb
