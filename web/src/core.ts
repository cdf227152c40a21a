// Typed wrapper around the WebAssembly core. The modules' functions take and
// return JSON text, which this file parses into the types of wasm/gpuplan.d.ts.
// The page loads the gpuplan module at once and gpuplan_extra (config.json
// import and the planner) only when it needs one of those.
import type {
  EstimateResponse,
  FieldSpec,
  GpuplanModule,
  GpuSpec,
  ModelResponse,
  PlanResponse,
  PresetSummary,
} from '../../wasm/gpuplan';
import type { GpuplanExtraModule } from '../../wasm/gpuplan_extra';
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
  modelBreakdown(query: Query): ModelResponse;
  /** Parses config.json text; the first call loads the on-demand module (see loadExtra). */
  parseHfConfig(text: string): Promise<ModelResponse>;
  /**
   * Loads the on-demand module once and returns the same promise afterwards.
   * A failed load is not kept, so the next call tries again.
   */
  loadExtra(): Promise<ExtraCore>;
}

/** The functions of the on-demand module, synchronous once it has loaded. */
export interface ExtraCore {
  parseHfConfig(text: string): ModelResponse;
  plan(query: Query): PlanResponse;
}

function parseJson<T>(text: string, source: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`core returned invalid JSON from ${source}: ${(error as Error).message}`);
  }
}

/** Wraps an instantiated on-demand module. */
export function wrapExtraModule(module: GpuplanExtraModule): ExtraCore {
  return {
    parseHfConfig: (text) => parseJson(module.parseHfConfig(text), 'parseHfConfig()'),
    plan: (query) => parseJson(module.plan(JSON.stringify(query)), 'plan()'),
  };
}

/** Returns a function that runs `load` once and shares its promise; a rejected promise is dropped so the next call runs `load` again. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => {
    promise ??= load();
    promise.catch(() => {
      promise = undefined;
    });
    return promise;
  };
}

/**
 * Wraps an instantiated first-view module, parsing its fields, GPUs and
 * presets once. `loadExtraModule` instantiates the on-demand module.
 */
export function wrapModule(module: GpuplanModule, loadExtraModule: () => Promise<GpuplanExtraModule>): Core {
  const loadExtra = once(async () => wrapExtraModule(await loadExtraModule()));
  return {
    fields: parseJson<FieldSpec[]>(module.fields(), 'fields()'),
    gpus: parseJson<GpuSpec[]>(module.gpus(), 'gpus()'),
    presets: parseJson<PresetSummary[]>(module.listPresets(), 'listPresets()'),
    estimate: (query) => parseJson(module.estimate(JSON.stringify(query)), 'estimate()'),
    presetSpec: (id) => parseJson(module.presetSpec(id), 'presetSpec()'),
    modelBreakdown: (query) => parseJson(module.modelBreakdown(JSON.stringify(query)), 'modelBreakdown()'),
    parseHfConfig: async (text) => (await loadExtra()).parseHfConfig(text),
    loadExtra,
  };
}

/**
 * Loads the first-view module on first call and returns the same promise
 * afterwards. A failed load is not kept, so a later call can try again. Vite
 * bundles the Emscripten .mjs and emits the .wasm as an asset whose URL is
 * relative to the page, so the site works from any sub-path. The on-demand
 * module is a chunk of its own (core-extra.ts), fetched on its first use.
 */
export const loadCore = once(async (): Promise<Core> => {
  const { default: createGpuplan } = await import('@gpuplan/wasm/gpuplan.mjs');
  const module = await createGpuplan({
    locateFile: (path) => (path.endsWith('.wasm') ? wasmUrl : path),
  });
  return wrapModule(module, async () => (await import('./core-extra')).instantiateExtraModule());
});
