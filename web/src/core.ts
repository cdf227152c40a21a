// Typed wrapper around the WebAssembly core. The module's functions take and
// return JSON text, which this file parses into the types of wasm/gpuplan.d.ts.
import type {
  EstimateResponse,
  FieldSpec,
  GpuplanModule,
  GpuSpec,
  ModelResponse,
  PlanResponse,
  PresetSummary,
} from '../../wasm/gpuplan';
import wasmUrl from '@gpuplan/wasm/gpuplan.wasm?url';

export type {
  DetailedResult,
  EstimateResponse,
  EstimateWarning,
  FieldError,
  FieldSpec,
  FrameworkConstant,
  GpuSpec,
  GuideGap,
  GuideResult,
  ModelResponse,
  ModelSpecJson,
  PlanCandidate,
  PlanResponse,
  PresetSummary,
  RunResult,
  Term,
  TimeResult,
} from '../../wasm/gpuplan';

/** Query in URL form: field name → value text. */
export type Query = Record<string, string>;

export interface Core {
  /** Every input field, in the core's order (model fields first). */
  readonly fields: readonly FieldSpec[];
  readonly gpus: readonly GpuSpec[];
  readonly presets: readonly PresetSummary[];
  estimate(query: Query): EstimateResponse;
  presetSpec(id: string): ModelResponse;
  parseHfConfig(text: string): ModelResponse;
  modelBreakdown(query: Query): ModelResponse;
  /** Null while the core lacks the planner. */
  plan: ((query: Query) => PlanResponse) | null;
}

function parseJson<T>(text: string, source: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`core returned invalid JSON from ${source}: ${(error as Error).message}`);
  }
}

/** Wraps an instantiated module, parsing its fields, GPUs and presets once. */
export function wrapModule(module: GpuplanModule): Core {
  const plan = module.plan;
  return {
    fields: parseJson<FieldSpec[]>(module.fields(), 'fields()'),
    gpus: parseJson<GpuSpec[]>(module.gpus(), 'gpus()'),
    presets: parseJson<PresetSummary[]>(module.listPresets(), 'listPresets()'),
    estimate: (query) => parseJson(module.estimate(JSON.stringify(query)), 'estimate()'),
    presetSpec: (id) => parseJson(module.presetSpec(id), 'presetSpec()'),
    parseHfConfig: (text) => parseJson(module.parseHfConfig(text), 'parseHfConfig()'),
    modelBreakdown: (query) => parseJson(module.modelBreakdown(JSON.stringify(query)), 'modelBreakdown()'),
    plan: typeof plan === 'function' ? (query) => parseJson(plan.call(module, JSON.stringify(query)), 'plan()') : null,
  };
}

let corePromise: Promise<Core> | undefined;

/**
 * Loads the module on first call and returns the same promise afterwards.
 * Vite bundles the Emscripten .mjs and emits the .wasm as an asset whose URL
 * is relative to the page, so the site works from any sub-path.
 */
export function loadCore(): Promise<Core> {
  corePromise ??= (async () => {
    const { default: createGpuplan } = await import('@gpuplan/wasm/gpuplan.mjs');
    const module = await createGpuplan({
      locateFile: (path) => (path.endsWith('.wasm') ? wasmUrl : path),
    });
    return wrapModule(module);
  })();
  // A failed load is not cached, so a later call can try again.
  corePromise.catch(() => {
    corePromise = undefined;
  });
  return corePromise;
}
