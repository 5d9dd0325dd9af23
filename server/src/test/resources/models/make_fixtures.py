"""Makes the TorchScript fixtures the reload and rollout tests use (run with Debian's
python3-torch, from this directory: /usr/bin/python3 make_fixtures.py). All take [N, 24] FP32
like curve_forecaster:
  nan_output.pt          answers NaN everywhere (a model that must fail its health check)
  wrong_shape.pt         answers [N, 23] instead of the declared [N, 24]
  canary_errors.pt       the demo model, but fails a batch holding a row whose first value is
                         negative (prices are positive: the golden examples and the zero warm-up
                         pass, so it loads and serves, then errors on such inputs)
  canary_slow.pt         the demo model's exact outputs after extra work: 20 rounds of a 64x64
                         matmul + tanh per call, about 7x the demo's time per call (58 us -> 405
                         us per single-row call in Python here)
  canary_diverging.pt    the demo model's outputs + 0.5 everywhere (register it without golden
                         examples: it would fail them, which is the point)
The canary fixtures wrap ../../../../../examples/curve_forecaster/model.pt (the demo network).
"""
import os

import torch


class NanOutput(torch.nn.Module):
    def forward(self, x):
        return x * float("nan")


class WrongShape(torch.nn.Module):
    def forward(self, x):
        return x[:, :23] * 1.0


torch.manual_seed(0)
example = torch.randn(4, 24)
for name, module in [("nan_output.pt", NanOutput()), ("wrong_shape.pt", WrongShape())]:
    traced = torch.jit.trace(module.eval(), example)
    traced.save(name)
    print(name, tuple(traced(torch.randn(3, 24)).shape))


DEMO = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                    "../../../../../examples/curve_forecaster/model.pt")


class Errors(torch.nn.Module):
    def __init__(self, base):
        super().__init__()
        self.base = base

    def forward(self, x):
        if bool((x[:, 0] < 0).any()):
            raise RuntimeError("canary fixture: a row with a negative first value")
        return self.base(x)


class Slow(torch.nn.Module):
    def __init__(self, base, rounds: int):
        super().__init__()
        self.base = base
        self.rounds = rounds
        self.w = torch.nn.Parameter(torch.eye(64) * 0.5, requires_grad=False)

    def forward(self, x):
        y = self.base(x)
        z = torch.zeros(x.shape[0], 64)
        for _ in range(self.rounds):
            z = torch.tanh(z @ self.w + 0.001)
        return y + z[:, :24] * 0.0


class Diverging(torch.nn.Module):
    def __init__(self, base):
        super().__init__()
        self.base = base

    def forward(self, x):
        return self.base(x) + 0.5


base = torch.jit.load(DEMO).eval()
x = torch.randn(3, 24) * 5 + 60
with torch.no_grad():
    want = base(x)
    for name, module in [("canary_errors.pt", Errors(base)), ("canary_slow.pt", Slow(base, 20)),
                         ("canary_diverging.pt", Diverging(base))]:
        scripted = torch.jit.script(module.eval())
        scripted.save(name)
        got = torch.jit.load(name)(x)
        print(name, tuple(got.shape), "max |diff| from the demo:",
              float((got - want).abs().max()))
