// ONNX import (src/mapping/onnx/): PyTorch-exported fixtures (test/fixtures/onnx/make_fixtures.py) compute the
// outputs PyTorch saved with them — in our float forward pass and, through quantization, on crossbars (ideal mode
// equals the quantized model bit for bit); the layout conversion (NCHW weights, CHW flatten order) is what makes that
// true, and each kind of bad input is a named error.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initSync } from '../../src/wasm/index.js';
import { loadModelFile, loadLayersModelFile } from '../../src/mapping/load-node.js';
import { forward } from '../../src/mapping/forward.js';
import { mapModel } from '../../src/mapping/map.js';
import { crossbarLayers, ModelImportError, type ImportedModel } from '../../src/mapping/types.js';
import { importOnnx, OnnxImportError, type OnnxErrorCode } from '../../src/mapping/onnx/index.js';
import { ModelProtoType, type OnnxModelProto } from '../../src/mapping/onnx/schema.js';
import { resolveHardware } from '../../src/hardware/resolve.js';
import { CrossbarPool } from '../../src/hardware/pool.js';
import { quantizeModel, programModel, CrossbarEngine } from '../../src/inference/index.js';

initSync();
const FIX = join(import.meta.dirname, '..', 'fixtures', 'onnx');
const tmp = mkdtempSync(join(tmpdir(), 'ha3m-onnx-'));

interface Ref { input_shape: number[]; input: number[]; output_shape: number[]; output: number[] }
const ref = (name: string): Ref => JSON.parse(readFileSync(join(FIX, `${name}.ref.json`), 'utf8')) as Ref;

/** NCHW (PyTorch) → NHWC (ours) for image inputs; vectors unchanged. */
function toNhwc(r: Ref): Float32Array {
  const x = Float32Array.from(r.input), [N, C, H, W] = r.input_shape as [number, number, number, number];
  if (r.input_shape.length !== 4) return x;
  const out = new Float32Array(x.length);
  for (let b = 0; b < N; b++) for (let c = 0; c < C; c++) for (let h = 0; h < H; h++) {
    for (let w = 0; w < W; w++) out[((b * H + h) * W + w) * C + c] = x[((b * C + c) * H + h) * W + w]!;
  }
  return out;
}

const maxErr = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i]! - b[i]!));
  return e;
};

const fixtures: Array<[string, string, (m: ImportedModel) => void]> = [
  ['cnn', 'cnn.onnx', (m) => {
    // opset 9; BatchNormalization folded into the first Conv by us, Relu fused; a 4×4×8 map flattened into fc1
    assert.equal(m.inputShape, [16, 16, 3]);
    const l = crossbarLayers(m);
    assert.equal(l.map((o) => o.kind), ['conv2d', 'conv2d', 'dense', 'dense']);
    assert.equal(l[0]!.folded, ['/bn1/BatchNormalization']);
    assert.is(l[0]!.activation, 'relu');
    assert.equal([l[1]!.conv!.padTop, l[1]!.conv!.outH], [1, 4]); // PyTorch's symmetric padding, not TF's "same"
  }],
  ['resnet', 'resnet.onnx', (m) => {
    // opset 13, dynamic batch axis; residual Adds; Identity and Dropout vanish
    assert.equal(m.inputShape, [12, 12, 3]);
    assert.is(m.ops.filter((o) => o.kind === 'add').length, 2);
    assert.ok(m.ops.some((o) => o.kind === 'globalAvgPool'));
    assert.is(crossbarLayers(m).length, 7);
  }],
  ['mlp', 'mlp.onnx', (m) => {
    // opset 11; Reshape to [N, 64], MatMul + Add folded into one Dense, BatchNorm1d folded, softmax
    assert.equal(m.inputShape, [8, 8, 1]);
    const l = crossbarLayers(m);
    assert.equal(l.map((o) => [o.rows, o.cols]), [[64, 12], [12, 4]]);
    assert.is(l[0]!.folded.length, 1);
    assert.is(m.ops[m.output]!.kind, 'activation');
  }],
  ['mlp', join('external', 'mlp.onnx'), () => {}],
];

for (const [name, file, check] of fixtures) {
  test(`${file}: imports and its float forward pass equals PyTorch's saved outputs`, async () => {
    const m = await loadModelFile(join(FIX, file));
    check(m);
    const r = ref(name);
    const y = forward(m, toNhwc(r), r.input_shape[0]!);
    assert.equal([y.batch, ...y.shape], r.output_shape);
    const err = maxErr(y.data, r.output);
    assert.ok(err < 2e-5, `max abs error ${err}`);
  });
}

test('without the CHW → HWC reordering of the flattened map the cnn would be wrong (the test can fail)', async () => {
  const m = await loadModelFile(join(FIX, 'cnn.onnx'));
  const fc1 = crossbarLayers(m)[2]!, N = fc1.cols;
  const w = fc1.weights.slice();
  // put fc1's rows back in ONNX (CHW) order, as a converter without the permutation would
  for (let c = 0; c < 8; c++) for (let p = 0; p < 16; p++) fc1.weights.set(w.subarray((p * 8 + c) * N, (p * 8 + c + 1) * N), (c * 16 + p) * N);
  const r = ref('cnn');
  assert.ok(maxErr(forward(m, toNhwc(r), 4).data, r.output) > 1e-2);
});

test('an imported ONNX model runs on crossbars: ideal mode equals the quantized model bit for bit', async () => {
  for (const file of ['resnet.onnx', 'cnn.onnx']) {
    const m = await loadModelFile(join(FIX, file));
    const cfg = resolveHardware({}, 'ideal');
    const r = ref(file.replace('.onnx', ''));
    const x = toNhwc(r), n = r.input_shape[0]!;
    const qm = quantizeModel(m, cfg, x, n);
    const placement = mapModel(m, cfg, { xamm: true });
    const pool = new CrossbarPool(cfg, { numCrossbars: placement.crossbars, seed: 1 });
    programModel(qm, placement, pool);
    const engine = new CrossbarEngine(qm, placement, pool, { seed: 1 });
    const ideal = engine.run(x, n, 'ideal'), quant = engine.run(x, n, 'quantized');
    assert.equal(Array.from(ideal), Array.from(quant), file);
    // 8-bit weights and inputs stay close to PyTorch's float outputs
    assert.ok(maxErr(quant, r.output) < 0.1 * Math.max(...r.output.map(Math.abs)), file);
  }
});

// ---- bad input: each a named error --------------------------------------------------------------------------------

async function expectCode(fn: () => unknown, code: OnnxErrorCode, re: RegExp): Promise<void> {
  let err: unknown;
  try { await fn(); } catch (e) { err = e; }
  assert.instance(err, OnnxImportError, `expected OnnxImportError ${code}, got ${String(err)}`);
  assert.instance(err, ModelImportError);
  assert.is((err as OnnxImportError).code, code, (err as Error).message);
  assert.match((err as Error).message, re);
}

const bytesOf = (f: string): Uint8Array => readFileSync(join(FIX, f));

test('unsupported op: the node and its op type are named', async () => {
  await expectCode(() => loadModelFile(join(FIX, 'concat.onnx')), 'unsupported-op', /node "\/Concat" \(Concat\) is not supported; supported: Conv, Gemm/);
});

test('truncated protobuf: every cut of the file is refused as truncated, never imported', () => {
  const b = bytesOf('cnn.onnx');
  const cuts = [0, 1, 7, ...Array.from({ length: 40 }, (_, i) => Math.floor(((i + 1) * b.length) / 41)), ...Array.from({ length: 12 }, (_, i) => b.length - 1 - i)];
  for (const n of cuts) {
    let err: unknown;
    try { importOnnx(b.subarray(0, n), { source: `cut at ${n}` }); } catch (e) { err = e; }
    assert.instance(err, OnnxImportError, `cut at ${n} of ${b.length}`);
    assert.is((err as OnnxImportError).code, 'truncated', `cut at ${n}: ${(err as Error).message}`);
  }
  const garbage = Uint8Array.from({ length: 300 }, (_, i) => (i * 7919 + 13) & 255);
  assert.throws(() => importOnnx(garbage), (e: unknown) => e instanceof OnnxImportError && e.code === 'truncated');
});

/** The fixture `f` decoded, changed by `edit`, and encoded again. */
function mutated(f: string, edit: (m: OnnxModelProto) => void): Uint8Array {
  const m = ModelProtoType.decode(bytesOf(f)) as unknown as OnnxModelProto;
  edit(m);
  return ModelProtoType.encode(m as never).finish();
}

test('unsupported opset: too old and too new, and a model without one', async () => {
  for (const v of [6, 22]) {
    const b = mutated('resnet.onnx', (m) => { m.opsetImport[0]!.version = v; });
    await expectCode(() => importOnnx(b, { source: 'r.onnx' }), 'opset', new RegExp(`r.onnx: opset ${v} is not supported \\(supported: 7–21\\); export with .*opset_version`));
  }
  await expectCode(() => importOnnx(mutated('resnet.onnx', (m) => { m.opsetImport.length = 0; })), 'truncated', /no ai\.onnx opset_import/);
});

test('dynamic or symbolic shapes: only the batch axis may be symbolic', async () => {
  const sym = mutated('cnn.onnx', (m) => { const d = m.graph!.input[0]!.type!.tensorType!.shape!.dim[2]!; d.dimParam = 'height'; delete d.dimValue; });
  await expectCode(() => importOnnx(sym), 'dynamic-shape', /input "input" has a symbolic dimension "height" at axis 2 \(shape \[4, 3, height, 16\]\); export with a fixed input size/);
  const noShape = mutated('cnn.onnx', (m) => { delete m.graph!.input[0]!.type!.tensorType!.shape; });
  await expectCode(() => importOnnx(noShape), 'dynamic-shape', /input "input" has no shape/);
  // a Reshape whose target shape is computed at run time
  const dyn = mutated('mlp.onnx', (m) => { m.graph!.node.find((n) => n.opType === 'Reshape')!.input[1] = 'input'; });
  await expectCode(() => importOnnx(dyn), 'dynamic-shape', /node "\/Reshape" \(Reshape\): the target shape "input" is computed at run time/);
});

test('NaN or infinite initializers are refused, naming the tensor and the index', async () => {
  const nan = mutated('cnn.onnx', (m) => {
    const t = m.graph!.initializer.find((x) => x.name === 'fc1.weight')!;
    const raw = Uint8Array.from(t.rawData!);
    new DataView(raw.buffer).setFloat32(4 * 37, NaN, true);
    t.rawData = raw;
  });
  await expectCode(() => importOnnx(nan, { source: 'n.onnx' }), 'non-finite', /n\.onnx: initializer "fc1\.weight": value NaN at index 37/);
});

test('external data: read from beside the model; a missing, short or escaping file is named', async () => {
  const dir = join(tmp, 'ext');
  rmSync(dir, { recursive: true, force: true });
  (await import('node:fs')).mkdirSync(dir);
  copyFileSync(join(FIX, 'external', 'mlp.onnx'), join(dir, 'mlp.onnx'));
  await expectCode(() => loadModelFile(join(dir, 'mlp.onnx')), 'external-data', /initializer "w1": external-data file "mlp\.weights" is missing/);
  writeFileSync(join(dir, 'mlp.weights'), readFileSync(join(FIX, 'external', 'mlp.weights')).subarray(0, 1000));
  await expectCode(() => loadModelFile(join(dir, 'mlp.onnx')), 'external-data', /does not hold the tensor's \d+ bytes \(file has 1000\)/);
  const escape = mutated(join('external', 'mlp.onnx'), (m) => { m.graph!.initializer[0]!.externalData.find((e) => e.key === 'location')!.value = '../secret'; });
  await expectCode(() => importOnnx(escape, { readExternal: () => new Uint8Array(4096) }), 'external-data', /location "\.\.\/secret" leaves the model's directory/);
});

test('other malformed graphs: a Gemm of the wrong width, an input nobody produces, a grouped conv', async () => {
  const wide = mutated('resnet.onnx', (m) => { m.graph!.initializer.find((x) => x.name === 'fc.weight')!.dims = [5, 32]; });
  await expectCode(() => importOnnx(wide), 'invalid', /node "\/fc\/Gemm" \(Gemm\): weight "fc\.weight" has dims \[5, 32\]/);
  const dangling = mutated('resnet.onnx', (m) => { m.graph!.node[3]!.input[0] = 'nowhere'; });
  await expectCode(() => importOnnx(dangling), 'invalid', /input "nowhere" is not produced by any earlier node/);
  const grouped = mutated('resnet.onnx', (m) => { m.graph!.node[0]!.attribute.find((a) => a.name === 'group')!.i = 3; });
  await expectCode(() => importOnnx(grouped), 'unsupported-op', /grouped convolution \(group 3/);
});

test('steps that run the model in TF.js (merge, training) refuse an .onnx path with the reason', async () => {
  let msg = '';
  try { await loadLayersModelFile(join(FIX, 'cnn.onnx')); } catch (e) { msg = (e as Error).message; }
  assert.match(msg, /cnn\.onnx is an ONNX model, but this step needs a TF\.js LayersModel/);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
