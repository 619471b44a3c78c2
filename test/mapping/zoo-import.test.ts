// The model zoo (src/training/zoo.ts) imports and its float forward pass equals model.predict.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { RefRng } from '../../src/reference/rng.js';
import { buildModel, cifarZooModels, zooModelNames } from '../../src/training/zoo.js';
import { importLayersModel } from '../../src/mapping/import.js';
import { forward } from '../../src/mapping/forward.js';
import { mapModel } from '../../src/mapping/map.js';
import { resolveHardware } from '../../src/hardware/index.js';

const rng = new RefRng(6, 6);

// The cpu backend: no set-up, and other suites in the same process may have registered wasm.
test.before(async () => { await tf.setBackend('cpu'); });

for (const name of zooModelNames) {
  test(`zoo ${name}: imports, maps (baseline and XAMM) and matches model.predict`, () => {
    // resnet18 / vgg16 at 1/16 width on 32×32×3: the same graph as the full models, a fraction of the weights
    const m = cifarZooModels.includes(name) ? buildModel(name, { seed: 3, width: 1 / 16 })
      : buildModel(name, { seed: 3, inputShape: name === 'lenet5' || name === 'mlp' ? [28, 28, 1] : [12, 12, 1] });
    // Non-trivial BN statistics, so folding is exercised.
    for (const l of m.layers) {
      if (l.getClassName() !== 'BatchNormalization') continue;
      l.setWeights(l.getWeights().map((w, i) => tf.tensor(Array.from({ length: w.size }, () => (i === 3 ? 0.5 : 0) + rng.uniform() * (i === 0 ? 1.5 : 1)), w.shape)));
    }
    const im = importLayersModel(m);
    const inShape = m.inputs[0].shape.slice(1) as number[];
    const batch = 3, size = inShape.reduce((a, b) => a * b, 1);
    const x = Float32Array.from({ length: batch * size }, () => rng.uniform());
    const ref = tf.tidy(() => (m.predict(tf.tensor(x, [batch, ...inShape])) as tf.Tensor).dataSync());
    const got = forward(im, x, batch).data;
    let err = 0;
    for (let i = 0; i < ref.length; i++) err = Math.max(err, Math.abs(got[i] - ref[i]));
    assert.ok(err < 1e-5, `max abs error ${err} on softmax outputs`);
    assert.not.ok(im.ops.some((o) => o.kind === 'scaleShift'), 'every BN folded');
    const cfg = resolveHardware();
    const b = mapModel(im, cfg), xm = mapModel(im, cfg, { xamm: true });
    assert.ok(xm.crossbars <= b.crossbars);
    m.dispose();
  });
}

test.run();
