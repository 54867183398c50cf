#!/usr/bin/env python3
"""PyTorch CPU reference for SgdThroughputBench: the same two-layer bias-free ReLU network,
summed squared loss plus weight decay, SGD with momentum 0.9, batch 100, on Gaussian data of
the CIFAR-10 two-class shape. Prints training samples per second (no per-epoch evaluation).

Usage: src/bench/python/sgd_throughput_torch.py [n] [d] [neurons] [batch] [epochs] [threads] [dtype]
(dtype float64, as cvxrelu computes, or float32, PyTorch's default).
Debian's python3-torch installs for the system interpreter: run it with /usr/bin/python3.
"""
import sys
import time

import torch

defaults = ["10000", "3072", "100", "100", "3", "1", "float64"]
args = sys.argv[1:] + defaults[len(sys.argv) - 1:]
n, d, m, batch, epochs, threads = (int(a) for a in args[:6])
dtype = getattr(torch, args[6])
torch.set_num_threads(threads)
torch.manual_seed(1)
x = torch.randn(n, d, dtype=dtype)
y = torch.sign(torch.randn(n, dtype=dtype))
hidden = torch.nn.Linear(d, m, bias=False).to(dtype)
out = torch.nn.Linear(m, 1, bias=False).to(dtype)
params = list(hidden.parameters()) + list(out.parameters())
beta = 1.0
opt = torch.optim.SGD(params, lr=1e-4, momentum=0.9)


def epoch():
    perm = torch.randperm(n)
    for s in range(0, n, batch):
        idx = perm[s:s + batch]
        xb, yb = x[idx], y[idx]
        f = out(torch.relu(hidden(xb))).squeeze(1)
        # Per-sample objective F/n as in SgdTrainer: mean loss + beta/(2n) |w|^2.
        loss = 0.5 * ((f - yb) ** 2).mean() \
            + beta / (2 * n) * sum((p ** 2).sum() for p in params)
        opt.zero_grad()
        loss.backward()
        opt.step()


epoch()  # warm-up
start = time.perf_counter()
for _ in range(epochs):
    epoch()
seconds = time.perf_counter() - start
print(f"torch {torch.__version__} {args[6]} threads={threads} n={n} d={d} m={m} batch={batch}: "
      f"{seconds:.2f} s, {n * epochs / seconds:.0f} samples/s ({seconds / epochs:.2f} s per epoch)")
