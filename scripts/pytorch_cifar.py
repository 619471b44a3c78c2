#!/usr/bin/env python3
"""Train the zoo's CIFAR-style resnet18 or vgg16 in PyTorch and export it to ONNX for ha3m.

The layer shapes are those of `ha3m zoo --model resnet18|vgg16` (src/training/zoo-cifar.ts), so a trained model maps
onto exactly the crossbars an untrained zoo model does. It reads the CIFAR-10 binary files (data_batch_*.bin,
test_batch.bin: the "binary version" archive) that `ha3m --data DIR` reads, and writes next to the model a data spec
with the normalization it trained with, so that ha3m evaluates on the same inputs:

    python3 scripts/pytorch_cifar.py --model resnet18 --data cifar-10-batches-bin --epochs 30 --out r18.onnx
    ha3m eval --model r18.onnx --data r18.data.json

Needs torch (and onnx for the export check); CPU works, a GPU is faster (--device cuda).
"""
import argparse
import glob
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

MEAN = [0.4914, 0.4822, 0.4465]
STD = [0.2470, 0.2435, 0.2616]


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.proj = None
        if stride != 1 or cin != cout:
            self.proj = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.proj is None else self.proj(x)))


class ResNet18(nn.Module):
    def __init__(self, classes=10, width=1.0):
        super().__init__()
        ch = [max(1, round(c * width)) for c in (64, 128, 256, 512)]
        self.stem = nn.Sequential(nn.Conv2d(3, ch[0], 3, 1, 1, bias=False), nn.BatchNorm2d(ch[0]), nn.ReLU())
        layers, cin = [], ch[0]
        for i, c in enumerate(ch):
            layers += [Block(cin, c, 1 if i == 0 else 2), Block(c, c, 1)]
            cin = c
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        x = self.layers(self.stem(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class Vgg16(nn.Module):
    CFG = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M']

    def __init__(self, classes=10, width=1.0):
        super().__init__()
        layers, cin = [], 3
        for v in self.CFG:
            if v == 'M':
                layers.append(nn.MaxPool2d(2, 2))
            else:
                c = max(1, round(v * width))
                layers += [nn.Conv2d(cin, c, 3, 1, 1, bias=False), nn.BatchNorm2d(c), nn.ReLU()]
                cin = c
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Linear(cin, 512), nn.ReLU(), nn.Dropout(0.5), nn.Linear(512, classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


def read_cifar(files):
    """CIFAR-10 binary records → (N, 3, 32, 32) uint8 images and int64 labels."""
    raw = np.concatenate([np.fromfile(f, dtype=np.uint8) for f in files])
    if raw.size % 3073:
        raise SystemExit(f'{files}: not whole CIFAR-10 records (3073 bytes each)')
    rec = raw.reshape(-1, 3073)
    return rec[:, 1:].reshape(-1, 3, 32, 32), rec[:, 0].astype(np.int64)


def normalize(x):
    x = torch.from_numpy(x).float() / 255
    return (x - torch.tensor(MEAN).view(1, 3, 1, 1)) / torch.tensor(STD).view(1, 3, 1, 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--model', choices=['resnet18', 'vgg16'], default='resnet18')
    ap.add_argument('--data', required=True, help='directory with data_batch_*.bin and test_batch.bin')
    ap.add_argument('--epochs', type=int, default=30)
    ap.add_argument('--batch-size', type=int, default=128)
    ap.add_argument('--lr', type=float, default=0.1)
    ap.add_argument('--width', type=float, default=1.0, help='channel multiplier (1 = the published widths)')
    ap.add_argument('--limit', type=int, help='train on the first N images only (a quick check)')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--device', default='cpu')
    ap.add_argument('--out', required=True, help='the .onnx file to write')
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    xtr, ytr = read_cifar(sorted(glob.glob(os.path.join(a.data, 'data_batch_*.bin'))))
    xte, yte = read_cifar([os.path.join(a.data, 'test_batch.bin')])
    if a.limit:
        xtr, ytr = xtr[:a.limit], ytr[:a.limit]
    xtr, xte = normalize(xtr), normalize(xte)
    ytr, yte = torch.from_numpy(ytr), torch.from_numpy(yte)
    model = (ResNet18 if a.model == 'resnet18' else Vgg16)(10, a.width).to(a.device)
    opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=0.9, weight_decay=5e-4, nesterov=True)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, a.lr, total_steps=a.epochs * ((len(ytr) + a.batch_size - 1) // a.batch_size))
    for ep in range(a.epochs):
        model.train()
        perm = torch.randperm(len(ytr))
        for i in range(0, len(ytr), a.batch_size):
            idx = perm[i:i + a.batch_size]
            x = xtr[idx]
            if torch.rand(()) < 0.5:  # random horizontal flip, the usual CIFAR augmentation
                x = x.flip(3)
            loss = F.cross_entropy(model(x.to(a.device)), ytr[idx].to(a.device))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        model.eval()
        with torch.no_grad():
            correct = sum((model(xte[i:i + 500].to(a.device)).argmax(1).cpu() == yte[i:i + 500]).sum().item() for i in range(0, len(yte), 500))
        print(f'epoch {ep + 1}/{a.epochs}: loss {loss.item():.4f}, test accuracy {100 * correct / len(yte):.2f} %', flush=True)
    model.eval().cpu()
    torch.onnx.export(model, torch.rand(1, 3, 32, 32), a.out, opset_version=13, input_names=['input'], output_names=['logits'],
                      dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}})
    spec = os.path.splitext(a.out)[0] + '.data.json'
    with open(spec, 'w') as f:
        json.dump({'path': os.path.relpath(os.path.abspath(a.data), os.path.dirname(os.path.abspath(spec))), 'mean': MEAN, 'std': STD}, f, indent=2)
    print(f'wrote {a.out} and {spec}')


if __name__ == '__main__':
    main()
