"""Every differentiable op, as a forward/backward pair (see each module)."""
