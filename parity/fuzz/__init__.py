"""Differential fuzzing: random small programs run on minigrad and on PyTorch, compared.

    python -m parity.fuzz --cases 5000 --seed 0     # the long run, with a summary line
    python -m parity.fuzz --cases 500 --mixed-dtypes
    python -m parity.fuzz --cases 5000 --order 2    # second derivatives too

A program is one or two calls of ops that minigrad exports and torch also has, found by
reflection (top-level functions, ``Tensor`` methods and operators, ``nn.functional``): an
op added to minigrad joins the fuzzer by being exported. Arguments are generated from the
parameters' names (``input``, ``other``, ``dim``, ``keepdim``, ``key`` ...), with a
generator of its own for the ops whose arguments depend on each other or on the input's
shape (``linear``, the losses, ``conv2d`` in programs.py; gather's index, chunk's count,
pooling's kernel, attention's shapes ... in shaped.py, now and then an invalid one so that
errors are compared too); an op with a required parameter of unknown name is skipped and
listed in the summary, never silently left out.

Inputs: shapes with 0 to 3 dims of sizes 0 to 3 (broadcast partners derived from them),
values mixing ties, +-0, +-1, +-inf and NaN with random normals, dtypes float64 (mostly),
float32, int64, int32, uint8 and bool. Both libraries run the program in the same dtypes;
the results must agree in whether they raise (and the error's type), values (NaN-aware:
float64 to 1e-9 relative), shapes, dtypes, and the gradients of every float input after a
backward pass through a fixed random weighting of the float outputs.

Type promotion (an int tensor with a float one, a float scalar with an int tensor) is
another issue's work: by default every tensor of a program has one dtype and scalars are
of its kind, so dtypes are compared exactly. ``mixed_dtypes=True`` (``--mixed-dtypes``)
lets programs mix them, for when promotion follows torch.

``order=2`` (``--order 2``) differentiates twice, over float programs: the gradients of the
weighted outputs come from ``autograd.grad(..., create_graph=True)`` and must agree (kind
"cg-grad" when only they, not the plain backward's, differ), then a random weighting of them
is differentiated again and the second derivatives must agree (kind "grad2"; a gradient that
does not require grad has zero second derivatives). One program in four runs with hooks
(``register_hook``, ``retain_grad``, ``backward(create_graph=True)``), whose retained
gradients are compared too.

Known disagreements that are not fixed (missing features, promotion, minigrad's own
memory layouts) are listed in ``known.py`` with the reason; they are reported, not counted
as failures (``KNOWN_ORDER2``: those only the second order sees). ``tests/test_fuzz.py``
runs a fixed number of programs under hypothesis, which shrinks a failure to a minimal
program.

The parts: ``ops.py`` finds the ops, ``programs.py`` draws programs, ``compare.py`` runs
them on both libraries and compares, ``known.py`` lists the known disagreements, ``run.py``
is the long run and its summary.
"""
from .compare import Disagreement, compare, run
from .known import KNOWN, KNOWN_ORDER2, Known, known_reason
from .ops import OpInfo, discover
from .programs import (ON_INPUT, PER_OP, DtypeSpec, HypothesisDraw, Program, RandomDraw, Ref,
                       Step, TensorSpec, program, programs)
from .run import fuzz, main, shrink

__all__ = ["discover", "program", "programs", "compare", "run", "known_reason", "fuzz", "shrink",
           "main", "RandomDraw", "HypothesisDraw", "Program", "Step", "TensorSpec", "DtypeSpec",
           "Ref", "OpInfo", "Disagreement", "Known", "KNOWN", "KNOWN_ORDER2", "PER_OP",
           "ON_INPUT"]
