"""PyTorch CPU baseline for bench/train.bench.ts (issue 6: "aim to be within 3x of PyTorch's CPU training").

Trains the zoo's MLP (784-256-128-10) and LeNet-5 with the same models, optimizer (Adam, lr 1e-3), batch (64), loss
(softmax cross-entropy, float32) and sample count as bench/train.bench.ts - on random MNIST-shaped data, no shuffling
and no per-step readbacks (which ha3m's timed epoch includes: its ratios are upper bounds) - on ONE thread (ha3m's
wasm backend is single-threaded), and prints one JSON line: {"torch": version, "threads": 1, "msPerSample": {...}}
with the best of ROUNDS timed passes after a warm-up pass.
Optional: PyTorch is not a dependency of ha3m and CI does not install it. The TS bench runs this script when
HA3M_BENCH_PYTORCH names a Python that has torch, interleaved with its own rounds.

usage: python bench/pytorch_train.py [SAMPLES] [ROUNDS] [MODELS]   (MODELS: mlp,lenet5 by default)
"""
import json
import sys
import time

import torch
from torch import nn

torch.set_num_threads(1)
torch.manual_seed(1)
samples = int(sys.argv[1]) if len(sys.argv) > 1 else 1024
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
models = (sys.argv[3] if len(sys.argv) > 3 else 'mlp,lenet5').split(',')
batch = 64


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def lenet5():
    # as src/training/zoo.ts: C1 6@5x5 same -> max pool -> C3 16@5x5 valid -> max pool -> 120 -> 84 -> 10, ReLU
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def ms_per_sample(build):
    model = build()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.rand(samples, 1, 28, 28)
    y = torch.randint(0, 10, (samples,))
    best = float('inf')
    for r in range(rounds + 1):  # round 0 warms up
        t0 = time.perf_counter()
        for s in range(0, samples, batch):
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[s:s + batch]), y[s:s + batch])
            loss.backward()
            opt.step()
        if r > 0:
            best = min(best, (time.perf_counter() - t0) * 1000 / samples)
    return best


print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(),
                  'msPerSample': {m: ms_per_sample({'mlp': mlp, 'lenet5': lenet5}[m]) for m in models}}))
