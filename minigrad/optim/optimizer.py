"""Optimizer: the base class that holds parameter groups and per-parameter state.

An optimizer owns ``param_groups`` (a list of dicts: ``'params'`` plus the group's
hyper-parameters, e.g. ``'lr'``) and ``state`` (a dict keyed by parameter: momentum
buffers, Adam's moments...). Subclasses implement ``step()``: for every parameter with a
gradient, update its array ``p._data`` in place, with no graph recorded.

``state_dict()`` / ``load_state_dict()`` use PyTorch's layout, where parameters are
replaced by their position across all groups::

    {'state': {0: {'momentum_buffer': tensor(...)}, ...},
     'param_groups': [{'lr': 0.01, ..., 'params': [0, 1]}, ...]}
"""
import copy
import warnings
from collections import defaultdict

from .. import autograd, backend, cpu_speed
from ..tensor import Tensor


class _RequiredParameter:
    """Marks a hyper-parameter that every param group must give (no default)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


class Optimizer:
    """Base class of all optimizers.

    Args:
        params: an iterable of Tensors, or of dicts (param groups: ``{'params': [...],
            'lr': ...}``; keys a group leaves out take the optimizer's defaults).
        defaults: the default hyper-parameters of a group.
    """

    #: state entries shaped like their parameter (checked by ``load_state_dict``)
    _param_shaped_state = ()

    def __init__(self, params, defaults):
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            f"Tensors or dicts, but got {params.type()}")
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def __repr__(self):
        lines = [type(self).__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {group[k]}" for k in sorted(group) if k != "params"]
        return "\n".join(lines) + "\n)"

    # ------------------------------------------------------------- groups
    def add_param_group(self, param_group):
        """Add a group of parameters (e.g. layers unfrozen while fine-tuning)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        else:
            params = list(params)
        # model.named_parameters() gives (name, tensor) pairs: keep the names too
        names = [p[0] for p in params if isinstance(p, tuple)]
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        if names:
            if len(names) != len(params):
                raise ValueError("all optimizer params should be with/without names. Some "
                                 "param names are missing")
            param_group["param_names"] = names
        param_group["params"] = params

        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                f"{type(p).__module__}.{type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)

        ids = {id(p) for p in params}
        if len(ids) != len(params):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; "
                          "in future, this will cause an error", stacklevel=3)
        for group in self.param_groups:
            if ("param_names" in param_group) != ("param_names" in group):
                have = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {have} to the optimizer")
            if any(id(p) in ids for p in group["params"]):
                raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # ------------------------------------------------------------- the loop
    def zero_grad(self, set_to_none=True):
        """Forget the gradients: ``p.grad = None`` (default), or fill them with zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.requires_grad = False
                    p.grad.zero_()

    def step(self, closure=None):
        """Update every parameter that has a gradient, group by group (no graph is recorded,
        and denormal floats are flushed to zero on x86-64: ``cpu_speed.denormals_flushed``).

        ``closure``, if given, re-evaluates the model and returns the loss; it runs with
        gradients enabled and its result is returned. Subclasses write ``_update_group``.
        """
        loss = self._run_closure(closure)
        # denormals flushed: see cpu_speed.denormals_flushed (why, and what it changes)
        with autograd.no_grad(), cpu_speed.denormals_flushed():
            for group in self.param_groups:
                self._update_group(group)
        return loss

    def _grads(self, group):
        """(p, g, state) for each parameter of ``group`` that has a gradient, in order: g is
        its gradient (negated when the group maximizes), state its state, started by
        ``_new_state(p, state, group)`` on its first step; the state's step count is
        advanced. The loop every optimizer's update runs, written once."""
        for p in group["params"]:
            if p.grad is None:
                continue
            state = self.state[p]
            if len(state) == 0:
                self._new_state(p, state, group)
            state["step"]._data += 1
            yield p, -p.grad._data if group["maximize"] else p.grad._data, state

    def _update_group(self, group):
        raise NotImplementedError

    @staticmethod
    def _run_closure(closure):
        if closure is None:
            return None
        with autograd.enable_grad():
            return closure()

    # ------------------------------------------------------------- saving
    def state_dict(self):
        """The optimizer's state with parameters replaced by their index (PyTorch's layout).

        Like PyTorch's, the returned dict holds the optimizer's live state tensors (not
        copies): save it or deep-copy it before stepping on.
        """
        index = {}
        groups = []
        start = 0
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                index.setdefault(id(p), i)
            packed["params"] = [index[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {(index[id(k)] if isinstance(k, Tensor) else k): v
                 for k, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Load a ``state_dict()``: hyper-parameters per group and the state tensors.

        Groups are matched by order and parameters by position, as in PyTorch; state
        tensors are moved onto the parameter's device (and, when floating point, cast to
        its dtype), except ``'step'``, which is kept as saved. A tensor that needs neither
        is shared with ``state_dict``, not copied, as in PyTorch.
        """
        groups = self.param_groups
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups "
                             f"({len(saved_groups)}, the optimizer has {len(groups)})")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            sizes = [len(g["params"]) for g in groups]
            saved = [len(s["params"]) for s in saved_groups]
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             f"the size of optimizer's group (saved group sizes {saved}, "
                             f"optimizer group sizes {sizes})")
        id_map = {}
        for g, s in zip(groups, saved_groups):
            id_map.update(zip(s["params"], g["params"]))

        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = self._cast_state(param, k, v)
            else:
                state[k] = v
        for g, s in zip(groups, saved_groups):
            s["params"] = g["params"]
            if "param_names" in g and "param_names" not in s:
                s["param_names"] = g["param_names"]
        self.state = state
        self.param_groups = saved_groups

    def _cast_state(self, param, index, value, key=None):
        """``value`` with its tensors moved to ``param``'s device (and dtype)."""
        if isinstance(value, Tensor):
            if key == "step":  # the step count stays where it was (the CPU), shared
                return value
            data = backend.move(value._data, param.device)
            if param.dtype.is_floating_point and value.dtype != param.dtype:
                data = param.device.xp.astype(data, param._data.dtype)
            if key in self._param_shaped_state and tuple(data.shape) != tuple(param.shape):
                raise ValueError(f"loaded state dict has '{key}' of shape {list(data.shape)} "
                                 f"for parameter {index}, whose shape is {list(param.shape)}")
            if data is value._data:  # nothing to move or cast: share it, as PyTorch does
                return value
            return Tensor._make(data, None)
        if isinstance(value, dict):
            return {k: self._cast_state(param, index, v, k) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self._cast_state(param, index, v) for v in value)
        return value
