"""NumPy restatement of ha3m's bit-sliced analog MVM, the optional baseline of bench/analog.bench.ts.

The computation CrossSim performs for a bit-sliced, differential core with input bit slicing (its fast_balanced
path): per weight slice s and input bit k, one BLAS GEMM X_k · (G+_s − G−_s) over all row tiles at once (a batched
matmul), then the ADC of that (slice, bit) — round half to even, clip — and shift-and-add; row tiles are added
digitally. With read noise (CrossSim's per-device model) every device of every array is redrawn per vector and per
read, rectified at 0, as CrossSim does when it copies its arrays per MVM.

usage: numpy_analog.py DIR MODE REPS   (MODE: noiseless | device; DIR holds meta.json, x.i32, d.i8 / gp.f32, gn.f32)
prints: CPU ms per vector (median of REPS timed calls; process time, so other load on the machine does not count), and writes DIR/y.f64 (noiseless) for the equality check.
"""
import json
import os
import sys
import time

import numpy as np


def main():
    d, mode, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
    meta = json.load(open(os.path.join(d, 'meta.json')))
    B, K, N, S, T = meta['batch'], meta['K'], meta['N'], meta['slices'], meta['tileRows']
    bits, cb, half = meta['inputBits'], meta['cellBits'], meta['half']
    steps = np.array(meta['steps'], dtype=np.float64)
    tr = K // T  # row tiles
    x = np.fromfile(os.path.join(d, 'x.i32'), dtype=np.int32).reshape(B, K)
    planes = [((x >> k) & 1).astype(np.float32).reshape(B, tr, T).transpose(1, 0, 2).copy() for k in range(bits)]

    if mode == 'noiseless':
        # D[s]: (tr, T, N) differential levels of slice s
        D = np.fromfile(os.path.join(d, 'd.i8'), dtype=np.int8).reshape(S, tr, T, N).astype(np.float32)

        def run():
            acc = np.zeros((tr, B, N), dtype=np.float64)
            for s in range(S):
                for k in range(bits):
                    y = np.matmul(planes[k], D[s])  # one GEMM per (slice, input bit), batched over row tiles
                    code = np.clip(np.rint(y / np.float32(steps[s])), -half, half)
                    acc += code * (steps[s] * 2.0 ** (k + cb * s))
            return acc.sum(axis=0)

        y = run()
        y.astype(np.float64).tofile(os.path.join(d, 'y.f64'))
        n = B
    else:
        gp = np.fromfile(os.path.join(d, 'gp.f32'), dtype=np.float32).reshape(S, tr, T, N)
        gn = np.fromfile(os.path.join(d, 'gn.f32'), dtype=np.float32).reshape(S, tr, T, N)
        rel, ab, inv_dg = meta['relative'], meta['absolute'], meta['invDG']
        sp, sn = (rel * gp + ab).astype(np.float32), (rel * gn + ab).astype(np.float32)
        rng = np.random.default_rng(1)
        n = meta['noisyVectors']

        def run():
            out = np.zeros((n, N))
            for b in range(n):
                acc = np.zeros((tr, N))
                for s in range(S):
                    for k in range(bits):
                        p = np.maximum(gp[s] + sp[s] * rng.standard_normal(gp[s].shape, dtype=np.float32), 0)
                        q = np.maximum(gn[s] + sn[s] * rng.standard_normal(gn[s].shape, dtype=np.float32), 0)
                        y = np.matmul(planes[k][:, b:b + 1, :], (p - q) * np.float32(inv_dg))[:, 0, :]
                        code = np.clip(np.rint(y / np.float32(steps[s])), -half, half)
                        acc += code * (steps[s] * 2.0 ** (k + cb * s))
                out[b] = acc.sum(axis=0)
            return out

    times = []
    for _ in range(reps):
        t0 = time.process_time()
        run()
        times.append((time.process_time() - t0) * 1000 / n)
    times.sort()
    print(times[len(times) // 2])


if __name__ == '__main__':
    main()
