"""Makes the TorchScript fixtures the reload and rollout tests use (run with Debian's
python3-torch, from this directory: /usr/bin/python3 make_fixtures.py). All take [N, 24] FP32
like curve_forecaster:
  nan_output.pt          answers NaN everywhere (a model that must fail its health check)
  wrong_shape.pt         answers [N, 23] instead of the declared [N, 24]
  canary_errors.pt       the demo model, but fails a batch holding a row whose first value is
                         negative (prices are positive: the golden examples and the zero warm-up
                         pass, so it loads and serves, then errors on such inputs)
  canary_slow.pt         the demo model's exact outputs after extra work that does not depend on
                         the batch: 40 rounds of a 128x128 matmul + tanh per call, about 13 ms
                         per single-row call in Python here (the demo: 0.04 ms). Far more than 5x
                         the demo's compute on purpose: served under load, a request's latency
                         is mostly the server's and the client's own work (the demo's p95 under
                         the rollout end-to-end test's load is 1.5-2.5 ms), and an earlier 7x of
                         the demo's compute (0.4 ms) made only ~1.7x that p95; this one is
                         several times it
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
        self.w = torch.nn.Parameter(torch.eye(128) * 0.5, requires_grad=False)

    def forward(self, x):
        y = self.base(x)
        a = self.w
        for _ in range(self.rounds):
            a = torch.tanh(a @ self.w + 0.001)
        return y + a[0, 0] * 0.0


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
    for name, module in [("canary_errors.pt", Errors(base)), ("canary_slow.pt", Slow(base, 40)),
                         ("canary_diverging.pt", Diverging(base))]:
        scripted = torch.jit.script(module.eval())
        scripted.save(name)
        got = torch.jit.load(name)(x)
        print(name, tuple(got.shape), "max |diff| from the demo:",
              float((got - want).abs().max()))
