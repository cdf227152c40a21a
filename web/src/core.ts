// Typed wrapper around the WebAssembly core. The module's functions take and
// return JSON text, which this file parses into the types of wasm/gpuplan.d.ts.
import type {
  EstimateResponse,
  FieldSpec,
  GpuplanModule,
  GpuSpec,
  ModelResponse,
  PresetSummary,
} from '../../wasm/gpuplan';
import wasmUrl from '@gpuplan/wasm/gpuplan.wasm?url';

export type {
  EstimateResponse,
  FieldError,
  FieldSpec,
  GpuSpec,
  GuideResult,
  ModelResponse,
  PresetSummary,
  Term,
} from '../../wasm/gpuplan';

/** Query in URL form: field name → value text. */
export type Query = Record<string, string>;

export interface Core {
  /** Every setup input, in the core's order. */
  readonly fields: readonly FieldSpec[];
  readonly gpus: readonly GpuSpec[];
  /** Model presets, or an empty list while the core lacks the model functions. */
  readonly presets: readonly PresetSummary[];
  estimate(query: Query): EstimateResponse;
  /** Null while the core lacks presetSpec. */
  presetSpec(id: string): ModelResponse | null;
}

function parseJson<T>(text: string, source: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`core returned invalid JSON from ${source}: ${(error as Error).message}`);
  }
}

// A core built without the model functions still loads, with no presets.
function hasFunction(module: GpuplanModule, name: keyof GpuplanModule): boolean {
  return typeof (module as unknown as Record<string, unknown>)[name] === 'function';
}

/** Wraps an instantiated module, parsing its fields, GPUs and presets once. */
export function wrapModule(module: GpuplanModule): Core {
  const fields = parseJson<FieldSpec[]>(module.fields(), 'fields()');
  const gpus = parseJson<GpuSpec[]>(module.gpus(), 'gpus()');
  const presets = hasFunction(module, 'listPresets')
    ? parseJson<PresetSummary[]>(module.listPresets(), 'listPresets()')
    : [];

  return {
    fields,
    gpus,
    presets,
    estimate: (query) => parseJson<EstimateResponse>(module.estimate(JSON.stringify(query)), 'estimate()'),
    presetSpec: (id) =>
      hasFunction(module, 'presetSpec') ? parseJson<ModelResponse>(module.presetSpec(id), 'presetSpec()') : null,
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
