// The exact matcher gives bit for bit the results it gave before it was restructured and sped up (the digests in
// test/fixtures/blm-golden.json were made by the earlier implementation; see test/helpers/blm-golden.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { GOLDEN_PATH, runGolden } from '../helpers/blm-golden.js';

interface Row { setup: string; opts: unknown; hash: string; expectedCost: number }

test('every golden case: same placement, costs, flags and notes as the earlier matcher', async () => {
  const want = (JSON.parse(readFileSync(GOLDEN_PATH, 'utf8')) as { cases: Row[] }).cases;
  let k = 0;
  await runGolden((c, r, d) => {
    const w = want[k++];
    assert.ok(w, `case ${k} missing from the fixture`);
    const what = `${c.setup} ${JSON.stringify(c.opts)}`;
    assert.equal([w!.setup, JSON.stringify(w!.opts)], [c.setup, JSON.stringify(c.opts)], 'case order');
    assert.is(d.expectedCost, w!.expectedCost, `${what}: expected cost`);
    assert.is(d.hash, w!.hash, `${what}: placement digest (notes: ${r.notes.join('; ')})`);
  });
  assert.is(k, want.length);
});

test.run();
