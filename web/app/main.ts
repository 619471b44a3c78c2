// The page: hardware (preset + editable fields), models, seed and mapping, the actions in workflow order, progress,
// and the results. All simulation runs in the worker (worker.ts) through the typed protocol (protocol.ts).
// `document.body.dataset.state` is "loading" | "ready" | "busy" | "done" | "error" (the browser tests wait on it).
// Every action's outcome — a result or an error — replaces what was shown before.
import { parseSeed, type HardwareChoice, type Mapping } from './inputs.js';
import { WorkerClient, type ActionResult, type Method, type Methods, type ModelInfo, type StrategyInfo } from './protocol.js';
import { ConfigEditor } from './ui/config-editor.js';
import { $, el } from './ui/dom.js';
import { ResultsView, showMetrics } from './ui/results.js';

const client = new WorkerClient(new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }));
const presetSel = $<HTMLSelectElement>('preset');
const modelSel = $<HTMLSelectElement>('model');
const modelBSel = $<HTMLSelectElement>('model-b');
const mappingSel = $<HTMLSelectElement>('mapping');
const seedInput = $<HTMLInputElement>('seed');
const progressEl = $<HTMLProgressElement>('progress');
const statusEl = $('status');
let models: ModelInfo[] = [];
let strategies: StrategyInfo[] = [];
let configCheck: Promise<Methods['config']['result']> | null = null;

type State = 'loading' | 'ready' | 'busy' | 'done' | 'error';
function setState(state: State, text: string): void {
  document.body.dataset.state = state;
  statusEl.textContent = text;
  ($('controls-set') as HTMLFieldSetElement).disabled = state === 'busy' || state === 'loading';
  document.body.setAttribute('aria-busy', String(state === 'busy' || state === 'loading'));
  if (state !== 'busy') { progressEl.max = 1; progressEl.value = state === 'done' ? 1 : 0; } // never left animating
}

const results = new ResultsView(['full', 'diff', 'blm', 'ha3m']);
const editor = new ConfigEditor($('config-fields'), () => void checkConfig());
const hardware = (): HardwareChoice => editor.choice(presetSel.value);
const modelA = (): ModelInfo => models.find((m) => m.id === modelSel.value) ?? models[0]!;
const modelB = (): ModelInfo => models.find((m) => m.id === modelBSel.value) ?? models[0]!;
const mapping = (): Mapping => (mappingSel.value === 'xamm' ? 'xamm' : 'baseline');

/** Validates the hardware fields in the worker (the CLI's schema); shows the problems per field, or the summary. */
function checkConfig(): Promise<Methods['config']['result']> {
  const check = client.call('config', { hardware: hardware() }).then(({ result }) => {
    if (check !== configCheck) return result; // a newer edit is being checked
    editor.showProblems(result.problems);
    if (result.summary) {
      $('preset-description').textContent = result.summary.description;
      showMetrics($('config'), result.summary.metrics);
      $('config-json').textContent = result.summary.json;
    } else {
      showMetrics($('config'), [{ label: 'not valid', value: 'fix the hardware fields marked in red (1 · Hardware)' }]);
      $('config-json').textContent = '';
    }
    return result;
  });
  configCheck = check;
  return check;
}

/** Runs an action: refuses bad input first, shows progress, and replaces the results with its result or error. */
async function run(label: string, fn: (seed: number) => Promise<void>): Promise<void> {
  setState('busy', `${label}…`);
  progressEl.removeAttribute('value');
  try {
    const s = parseSeed(seedInput.value);
    seedInput.toggleAttribute('aria-invalid', 'error' in s);
    $('seed-error').textContent = 'error' in s ? s.error : '';
    const cfg = await checkConfig(); // the fields as they are now (an edit may still be in its debounce)
    const problems = [...('error' in s ? [s.error] : []), ...cfg.problems.map((p) => p.message)];
    if (problems.length) throw new Error(problems.length === 1 ? problems[0]! : problems.map((p, i) => `(${i + 1}) ${p}`).join('; '));
    await fn((s as { seed: number }).seed);
    setState('done', `${label}: done`);
  } catch (e) {
    results.showError(label, (e as Error).message);
    setState('error', `${label} failed: ${(e as Error).message}`);
  }
}

const onProgress = (done: number, total: number, label: string): void => { progressEl.max = total; progressEl.value = done; statusEl.textContent = label; };

async function action<M extends 'map' | 'program' | 'switch' | 'mvmDemo'>(method: M, params: Methods[M]['params']): Promise<void> {
  const { result, ms } = await client.call(method, params, onProgress);
  results.show(result as ActionResult, ms);
}

function fillModels(selectA?: string): void {
  const keepB = modelBSel.value;
  modelSel.replaceChildren(...models.map((m) => new Option(m.label, m.id)));
  modelBSel.replaceChildren(...models.map((m) => new Option(m.label, m.id)));
  if (selectA) modelSel.value = selectA;
  // default B: the "B" weights of the same architecture, else what was chosen before
  const pair = modelSel.value.endsWith('-a') ? modelSel.value.replace(/-a$/, '-b') : '';
  modelBSel.value = models.some((m) => m.id === pair) ? pair : keepB || models[0]!.id;
}

interface Action { id: string; label: string; needs: Method; group: string; primary?: boolean; title?: string; run(): Promise<void> }

function actions(): Action[] {
  const base = (seed: number) => ({ hardware: hardware(), seed, mapping: mapping() });
  const switchTo = (ids: string[], label: string, skipUnavailable = false) => () => run(label, (seed) => action('switch', {
    ...base(seed), modelA: modelA().id, modelB: modelB().id, strategies: ids, skipUnavailable,
  }));
  return [
    { id: 'map', group: 'workflow', label: '① Map A', needs: 'map', title: 'place model A on crossbars with the chosen mapping', run: () => run('mapping model A', (seed) => action('map', { ...base(seed), model: modelA().id })) },
    { id: 'program', group: 'workflow', label: '② Program A', needs: 'program', title: 'write-verify model A into a fresh pool', run: () => run('programming model A', (seed) => action('program', { ...base(seed), model: modelA().id })) },
    ...strategies.map((st): Action => ({
      id: `switch-${st.id}`, group: 'switch', label: st.label, needs: 'switch', title: st.description, primary: st.id === 'ha3m',
      run: switchTo([st.id], `switching A → B (${st.label})`),
    })),
    {
      id: 'compare', group: 'switch', label: 'Compare all', needs: 'switch', primary: true, title: 'every strategy, one after the other, into one table',
      run: switchTo(strategies.map((s) => s.id), 'comparing the strategies', true),
    },
    { id: 'mvm', group: 'tools', label: 'Encode + MVM (A\'s first layer)', needs: 'mvmDemo', run: () => run('encode + MVM', (seed) => action('mvmDemo', { hardware: hardware(), seed, model: modelA().id })) },
    {
      id: 'fingerprint', group: 'tools', label: 'Determinism fingerprint', needs: 'fingerprint',
      run: () => run('fingerprint', async (seed) => {
        const { result, ms } = await client.call('fingerprint', { seed }, onProgress);
        results.show({
          header: { action: 'determinism fingerprint', models: ['the seeded equality scenario'], preset: 'default', edits: [], seed, mapping: 'baseline' },
          metrics: [
            { label: 'digest', value: result.digest, hint: 'compare with `node --import tsx web/tools/cli.ts fingerprint --seed N`' },
            ...result.steps.map((s) => ({ label: s.name, value: `${Object.keys(s.result).length} values hashed` })),
          ],
          maps: [],
        }, ms);
      }),
    },
  ];
}

const GROUPS: Record<string, string> = { workflow: 'Model A', switch: 'Switch A → B', tools: 'Tools' };

function importFiles(files: File[]): Promise<void> {
  return run('loading the model', async () => {
    const { result, ms } = await client.call('importModel', { files }, onProgress);
    models = (await client.call('models', {})).result;
    fillModels(result.id);
    results.show({
      header: { action: 'model loaded', models: [result.label], preset: presetSel.value, edits: [], seed: 0, mapping: mapping() },
      metrics: result.layers.map((l) => ({ label: l.name, value: `${l.rows} × ${l.cols} weights` })), maps: [],
    }, ms);
  });
}

async function start(): Promise<void> {
  setState('loading', 'loading the engine…');
  const { result: hello } = await client.call('hello', {});
  strategies = hello.strategies;
  presetSel.replaceChildren(...hello.presets.map((p) => new Option(p.name, p.name)));
  const caps = new Set(hello.capabilities);
  models = (await client.call('models', {})).result;
  fillModels();
  modelSel.onchange = () => fillModels(modelSel.value);
  const list = actions().filter((a) => caps.has(a.needs));
  $('actions').replaceChildren(...Object.entries(GROUPS).map(([g, title]) => el('div', { class: 'action-group', role: 'group', 'aria-label': title },
    el('span', { class: 'group-title', text: title }),
    ...list.filter((a) => a.group === g).map((a) => el('button', { type: 'button', id: `action-${a.id}`, class: a.primary ? 'primary' : undefined, title: a.title, onclick: () => void a.run(), text: a.label })))));
  presetSel.onchange = () => void run('loading the preset', async () => {
    editor.fill((await client.call('config', { hardware: { preset: presetSel.value, edits: {} } })).result.presetValues);
    await checkConfig();
  });
  const fileInput = $<HTMLInputElement>('model-file');
  fileInput.onchange = () => void importFiles(Array.from(fileInput.files ?? []));
  // Drag and drop anywhere on the page (model.json + its weight files together).
  document.addEventListener('dragover', (e) => { e.preventDefault(); document.body.classList.add('dropping'); });
  document.addEventListener('dragleave', () => document.body.classList.remove('dropping'));
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    document.body.classList.remove('dropping');
    const files = Array.from(e.dataTransfer?.files ?? []);
    if (files.length && document.body.dataset.state !== 'busy') void importFiles(files);
  });
  $('footer').textContent = `wasm ${hello.wasmSha256.slice(0, 12)}… (same bytes as the Node build) · simulation in a Web Worker`;
  editor.fill((await client.call('config', { hardware: { preset: presetSel.value, edits: {} } })).result.presetValues);
  await checkConfig();
  results.clear();
  setState('ready', 'ready');
}

start().catch((e: unknown) => {
  results.showError('starting the page', (e as Error).message);
  setState('error', `could not start: ${(e as Error).message}`);
});
