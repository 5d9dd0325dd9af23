"""Makes the broken TorchScript fixtures the reload tests use (run with Debian's python3-torch:
/usr/bin/python3 make_fixtures.py). Both take [N, 24] FP32 like curve_forecaster:
  nan_output.pt    answers NaN everywhere (a model that must fail its health check)
  wrong_shape.pt   answers [N, 23] instead of the declared [N, 24]
"""
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
