// The convolution and pooling gradients our training kernels take from tfjs-backend-wasm (see kernels.ts): the
// filter gradient it lacks (im2col(x)ᵀ · dy on our GEMM), the input gradient (dy · Wᵀ scattered back by col2im), and
// the pooling gradients (direct loops / one wasm pass instead of its generic paths). Shapes we do not take go to the
// original kernel; the filter gradient, which has none, throws naming the limitation.
import * as tf from '@tensorflow/tfjs';
import { arena, type WasmArray } from '../wasm/arena.js';
import { wasmKernels } from '../wasm/index.js';
import { gemm } from './gemm.js';
import { f32, heap, sizeOf, type KernelFunc, type WasmBackendLike } from './backend-heap.js';

const convKernels = () => wasmKernels('conv');

type Conv2DInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

function convInfo(xShape: number[], filterShape: number[], attrs: tf.NamedAttrMap): Conv2DInfo {
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs as unknown as {
    strides: [number, number] | number; pad: 'same' | 'valid' | number; dataFormat?: 'NHWC' | 'NCHW';
    dilations?: [number, number] | number; dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  const fmt = tf.backend_util.convertConv2DDataFormat(dataFormat ?? 'NHWC');
  return tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], filterShape as [number, number, number, number],
    strides, dilations ?? 1, pad, dimRoundingMode, false, fmt);
}

const supported = (info: Conv2DInfo): boolean =>
  info.dilationHeight === 1 && info.dilationWidth === 1 && info.dataFormat === 'channelsLast' && info.padInfo.type !== 'EXPLICIT';

type Geometry = [number, number, number, number, number, number, number, number, number, number, number, number];
const geometry = (info: Conv2DInfo): Geometry => [info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.filterHeight,
  info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left, info.outHeight, info.outWidth];

/** Runs `fn` with `x`'s im2col [N·outH·outW, kh·kw·C] built in the arena (wasm im2colF32 from a copy of x). */
function withCols<T>(backend: unknown, x: tf.TensorInfo, info: Conv2DInfo, fn: (cols: WasmArray<'f32'>) => T): T {
  const rows = info.batchSize * info.outHeight * info.outWidth, k = info.filterHeight * info.filterWidth * info.inChannels;
  const mark = arena.mark();
  try {
    let cols: WasmArray<'f32'>;
    if (k === info.inChannels && info.strideHeight === 1 && info.strideWidth === 1 && info.outHeight === info.inHeight && info.outWidth === info.inWidth) {
      cols = arena.from('f32', heap(backend, x)); // 1×1 stride-1 conv: the input is its own im2col
    } else {
      const X = arena.from('f32', heap(backend, x));
      cols = arena.alloc('f32', rows * k, false);
      convKernels().im2colF32(X.ptr, ...geometry(info), cols.ptr);
    }
    return fn(cols);
  } finally {
    arena.release(mark);
  }
}

/** The gradient kernels, delegating what they do not take to `orig(name)`, the backend's own kernel. */
export function convGradKernels(orig: (name: string) => KernelFunc): Record<'Conv2DBackpropFilter' | 'Conv2DBackpropInput' | 'AvgPoolGrad' | 'MaxPoolGrad', KernelFunc> {
  return {
    Conv2DBackpropFilter: (args) => {
      const { x, dy } = args.inputs;
      const filterShape = (args.attrs as unknown as { filterShape: number[] }).filterShape;
      const info = convInfo(x!.shape, filterShape, args.attrs!);
      if (!supported(info) || !f32(x, dy)) {
        throw new Error('Conv2DBackpropFilter on wasm: only float32, dilation 1, NHWC and same/valid padding are implemented; use --backend cpu for other convolutions');
      }
      const rows = info.batchSize * info.outHeight * info.outWidth, k = info.filterHeight * info.filterWidth * info.inChannels, f = info.outChannels;
      return withCols(args.backend, x!, info, (cols) => {
        const DY = arena.from('f32', heap(args.backend, dy!));
        const DW = arena.alloc('f32', k * f, false);
        gemm({ transA: true, m: k, n: f, k: rows, a: cols, b: DY, c: DW }); // dW = colsᵀ · dy
        const out = (args.backend as WasmBackendLike).makeOutput(filterShape, 'float32');
        heap(args.backend, out).set(DW.view);
        return out;
      });
    },
    Conv2DBackpropInput: (args) => {
      const { dy, filter } = args.inputs;
      const inputShape = (args.attrs as unknown as { inputShape: number[] }).inputShape;
      const info = convInfo(inputShape, filter!.shape, args.attrs!);
      if (!supported(info) || !f32(dy, filter)) return orig('Conv2DBackpropInput')(args);
      const rows = info.batchSize * info.outHeight * info.outWidth, k = info.filterHeight * info.filterWidth * info.inChannels, f = info.outChannels;
      return arena.scoped(() => {
        const DY = arena.from('f32', heap(args.backend, dy!)), W = arena.from('f32', heap(args.backend, filter!));
        const DC = arena.alloc('f32', rows * k, false);
        gemm({ transB: true, m: rows, n: k, k: f, a: DY, b: W, c: DC }); // dcols = dy · Wᵀ
        const X = arena.alloc('f32', sizeOf(inputShape), false);
        convKernels().col2imF32(DC.ptr, ...geometry(info), X.ptr);
        const out = (args.backend as WasmBackendLike).makeOutput(inputShape, 'float32');
        heap(args.backend, out).set(X.view);
        return out;
      });
    },
    AvgPoolGrad: (args) => {
      // non-overlapping windows (stride = window, valid padding; e.g. global average pooling): every input pixel gets
      // dy of its one window / window size. tfjs-wasm's generic AvgPoolGrad took ~0.1 s for one ResNet GAP.
      const { dy, input } = args.inputs;
      const { filterSize, strides, pad } = args.attrs as unknown as { filterSize: number | [number, number]; strides: number | [number, number]; pad: string | number };
      const [fh, fw] = typeof filterSize === 'number' ? [filterSize, filterSize] : filterSize;
      const [sh, sw] = typeof strides === 'number' ? [strides, strides] : strides;
      const [n, h, w, c] = input!.shape as [number, number, number, number];
      const oh = h / fh, ow = w / fw;
      if (dy!.dtype !== 'float32' || input!.shape.length !== 4 || pad !== 'valid' || fh !== sh || fw !== sw || !Number.isInteger(oh) || !Number.isInteger(ow)
        || dy!.shape.join() !== [n, oh, ow, c].join()) return orig('AvgPoolGrad')(args);
      const out = (args.backend as WasmBackendLike).makeOutput([n, h, w, c], 'float32');
      const g = heap(args.backend, dy!), dx = heap(args.backend, out);
      const scale = 1 / (fh * fw);
      for (let b = 0; b < n; b++) {
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            const src = ((b * oh + Math.floor(y / fh)) * ow + Math.floor(x / fw)) * c, dst = ((b * h + y) * w + x) * c;
            for (let ch = 0; ch < c; ch++) dx[dst + ch] = g[src + ch]! * scale;
          }
        }
      }
      return out;
    },
    MaxPoolGrad: (args) => {
      const { dy, input } = args.inputs;
      const at = args.attrs as unknown as { filterSize: number | [number, number]; strides: number | [number, number]; pad: 'valid' | 'same' | number; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
      if (dy!.dtype !== 'float32' || input!.dtype !== 'float32' || input!.shape.length !== 4) return orig('MaxPoolGrad')(args);
      const info = tf.backend_util.computePool2DInfo(input!.shape as [number, number, number, number], at.filterSize, at.strides, 1, at.pad, at.dimRoundingMode);
      if (dy!.shape.join() !== [info.batchSize, info.outHeight, info.outWidth, info.outChannels].join()) return orig('MaxPoolGrad')(args);
      return arena.scoped(() => {
        const X = arena.from('f32', heap(args.backend, input!)), DY = arena.from('f32', heap(args.backend, dy!));
        const DX = arena.alloc('f32', X.length, false);
        const overlap = info.strideHeight < info.effectiveFilterHeight || info.strideWidth < info.effectiveFilterWidth;
        const acc = overlap ? arena.alloc('f64', X.length, false).ptr : 0; // f64 sums of overlapping windows
        convKernels().maxPoolGradF32(X.ptr, DY.ptr, DX.ptr, info.batchSize, info.inHeight, info.inWidth, info.inChannels,
          info.effectiveFilterHeight, info.effectiveFilterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
          info.outHeight, info.outWidth, acc);
        const out = (args.backend as WasmBackendLike).makeOutput(input!.shape, 'float32');
        heap(args.backend, out).set(DX.view);
        return out;
      });
    },
  };
}
