// Exports of a setup: JSON that the import button reads back, a Markdown
// summary table, and the charts as one SVG file.
import type { EstimateResponse, FieldSpec, GpuSpec, Query } from './core';
import { formatBinaryBytes, formatBytes, formatInteger, formatSeconds, formatSignificant, joinQuantity } from './format';
import type { Lang, Translate } from './i18n';
import { fieldApplies } from './form-layout';
import { choiceLabel, fieldLabel, guideTotalKey } from './messages';

/** Format marker and version of the JSON export. */
export const EXPORT_FORMAT = 'gpuplan-setup';
export const EXPORT_VERSION = 1;

export interface SetupExport {
  format: typeof EXPORT_FORMAT;
  version: number;
  /** The setup as URL key-values (only values that differ from the defaults). */
  query: Query;
  /** The page address of this setup. */
  url: string;
  /** Every accepted input, for readers other than gpuplan. */
  input: Query;
  model: string;
  /** Memory per GPU that the run needs (required_bytes), as the verdict states it. */
  peak_bytes: number | null;
  /** The nvidia-smi reading, larger than peak_bytes when variable-length batches grow the pool. */
  nvidia_smi_bytes: number | null;
  gpu_usable_bytes: number | null;
  fits: boolean | null;
  guide_total_bytes: number | null;
}

export function makeExport(query: Query, response: EstimateResponse, url: string): SetupExport {
  const detailed = response.detailed;
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    query,
    url,
    input: response.input,
    model: String(response.model?.spec['name'] ?? ''),
    peak_bytes: detailed?.required_bytes ?? null,
    nvidia_smi_bytes: detailed?.nvidia_smi_bytes ?? null,
    gpu_usable_bytes: detailed?.gpu_usable_bytes ?? null,
    fits: detailed?.fits ?? null,
    guide_total_bytes: response.guide?.memory_total_bytes ?? null,
  };
}

/** A rejected import. The page words it from code and params (import.CODE in the catalogs). */
export class ImportError extends Error {
  constructor(
    readonly code: 'invalid_json' | 'hf_config' | 'not_export' | 'version' | 'query',
    readonly params: Record<string, string> = {},
    message: string = code,
  ) {
    super(message);
  }
}

/** Reads an export back; throws an ImportError naming what is wrong. Values are validated later by the core, like URL values. */
export function parseExport(text: string): Query {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const detail = (error as Error).message;
    throw new ImportError('invalid_json', { detail }, `invalid JSON (${detail})`);
  }
  const record = data as Partial<SetupExport> | null;
  if (!record || typeof record !== 'object' || record.format !== EXPORT_FORMAT) {
    // A Hugging Face config.json names its architecture; it belongs in the model's config import.
    const looksLikeConfig = !!record && typeof record === 'object' && ('model_type' in record || 'architectures' in record);
    throw new ImportError(looksLikeConfig ? 'hf_config' : 'not_export', {}, `"format" is not "${EXPORT_FORMAT}"`);
  }
  if (record.version !== EXPORT_VERSION) {
    const version = String(record.version);
    throw new ImportError('version', { version, expected: String(EXPORT_VERSION) }, `unsupported version ${version}, expected ${EXPORT_VERSION}`);
  }
  const query = record.query;
  if (!query || typeof query !== 'object' || Array.isArray(query)) throw new ImportError('query', { key: 'query' }, '"query" is missing or not an object');
  const values: Query = {};
  for (const [key, value] of Object.entries(query)) {
    if (typeof value !== 'string') throw new ImportError('query', { key: `query.${key}` }, `"query.${key}" is not a string`);
    values[key] = value;
  }
  return values;
}

/**
 * Escapes text for one cell of a Markdown table, so that a model name such as
 * `a|b` or `<img onerror=...>` stays text. CommonMark lets a backslash escape
 * any ASCII punctuation. This escapes `|` (cell separator), `<` and `>` (raw
 * HTML and autolinks such as `<javascript:...>`), backticks (code spans), `[`
 * and `]` (links) and `&` (entities). It escapes the backslash too, because a
 * trailing backslash would escape the cell's closing `|`. A line break would
 * end the table row, so it becomes a space.
 */
export function escapeMarkdownCell(text: string): string {
  return text.replace(/\r\n|[\r\n]/g, ' ').replace(/[\\|<>`[\]&]/g, (character) => `\\${character}`);
}

/** Fields that the summary lists even at their defaults, because a reader needs them to read the result. */
const SUMMARY_FIELDS = ['method', 'micro_batch', 'seq_len', 'grad_accum', 'precision', 'optimizer', 'grad_checkpointing', 'num_gpus', 'sharding'];

/**
 * Rows of the summary's setup table: the model, the GPU, the main fields, and
 * every other field that `query` sets (the values that differ from the
 * defaults, as minimalValues returns them), in the core's field order.
 */
export function summaryRows(response: EstimateResponse, query: Query, fields: readonly FieldSpec[], gpus: readonly GpuSpec[], lang: Lang, t: Translate): [string, string][] {
  const input = response.input;
  const gpuId = input['gpu'] ?? '';
  const value = (field: FieldSpec | undefined, name: string, text: string) => {
    if (field?.kind !== 'boolean') return choiceLabel(lang, text, name);
    return t(text === 'true' ? 'share.on' : 'share.off');
  };
  const rows: [string, string][] = [
    [t('field.model.label'), String(response.model?.spec['name'] ?? '')],
    [t('field.gpu.label'), gpus.find((spec) => spec.id === gpuId)?.name ?? gpuId],
  ];
  for (const field of fields) {
    const name = field.name;
    if (name === 'gpu' || name === 'name') continue;
    const listed = SUMMARY_FIELDS.includes(name);
    const text = listed ? input[name] : query[name];
    // A value that this setup does not use (the page hides its field) is left out.
    if (text === undefined || (field.group !== 'model' && !fieldApplies(name, input))) continue;
    rows.push([fieldLabel(lang, name), value(field, name, text)]);
  }
  return rows;
}

/** Words the verdict sentence as the page shows it above the memory bar. */
function verdictText(response: EstimateResponse, gpuName: string, t: Translate, locale: string): string {
  const text = (value: number) => joinQuantity(formatBinaryBytes(value, locale));
  const detailed = response.detailed;
  if (detailed) {
    return t(detailed.fits ? 'result.fits' : 'result.does_not_fit', {
      gpu: gpuName,
      peak: text(detailed.required_bytes),
      usable: text(detailed.gpu_usable_bytes),
      headroom: text(detailed.headroom_bytes),
      shortfall: text(-detailed.headroom_bytes),
    });
  }
  const guide = response.guide;
  if (!guide) return '—';
  const fits = guide.memory_total_bytes <= guide.gpu_memory_bytes;
  return t(fits ? 'result.guide_fits' : 'result.guide_does_not_fit', { total: text(guide.memory_total_bytes), gpu: gpuName, capacity: text(guide.gpu_memory_bytes) });
}

/**
 * Builds a Markdown summary in the page's language: the setup table (`rows`,
 * see summaryRows), then the result table with the verdict, memory (GiB), time
 * and cost when the core gives them, and the guide's total (GB), then the URL.
 */
export function makeMarkdown(response: EstimateResponse, rows: readonly [string, string][], url: string, t: Translate, locale: string, gpuName = ''): string {
  const bytes = (value: number | undefined) => (value === undefined ? '—' : joinQuantity(formatBinaryBytes(value, locale)));
  const units = { microsecond: t('unit.microsecond'), millisecond: t('unit.millisecond'), second: t('unit.second'), minute: t('unit.minute'), hour: t('unit.hour'), day: t('unit.day') };
  const seconds = (value: number) => joinQuantity(formatSeconds(value, locale, units));
  const detailed = response.detailed;
  const resultRows: [string, string][] = [[t('share.markdown_verdict'), verdictText(response, gpuName, t, locale)]];
  if (detailed) {
    resultRows.push(
      [t('memory.nvidia_smi'), bytes(detailed.nvidia_smi_bytes)],
      ...(detailed.nvidia_smi_bytes > detailed.required_bytes ? [[t('memory.required'), bytes(detailed.required_bytes)] as [string, string]] : []),
      [t('memory.usable', { usable: '' }).trim(), bytes(detailed.gpu_usable_bytes)],
      [t('memory.reserved'), bytes(detailed.peak_reserved_bytes)],
      [t('memory.allocated'), bytes(detailed.peak_allocated_bytes)],
      [t('memory.max_micro_batch'), formatInteger(detailed.max_micro_batch, locale)],
      [t('memory.max_seq_len'), formatInteger(detailed.max_seq_len, locale)],
    );
  }
  const time = response.time;
  if (time) {
    resultRows.push(
      [t('time.step_time'), seconds(time.step_time_s)],
      [t('time.tokens_per_s'), formatSignificant(time.tokens_per_s, locale)],
      [t('time.mfu'), `${formatSignificant(100 * time.mfu, locale)}%`],
    );
  }
  const run = response.run;
  if (run?.wall_time_s !== undefined) {
    resultRows.push([t('time.total'), seconds(run.wall_time_s)], [t('time.gpu_hours'), formatSignificant(run.gpu_hours ?? NaN, locale)]);
    resultRows.push([t('time.cost'), run.cost_usd == null ? t('time.no_price') : `$${formatSignificant(run.cost_usd, locale, 4)}`]);
  }
  if (response.guide) resultRows.push([t(guideTotalKey(response.input['method'])), joinQuantity(formatBytes(response.guide.memory_total_bytes, locale))]);
  const table = (heading: string, body: readonly [string, string][]) =>
    [
      `| ${escapeMarkdownCell(heading)} | ${escapeMarkdownCell(t('share.markdown_value'))} |`,
      '| --- | --- |',
      ...body.map(([name, value]) => `| ${escapeMarkdownCell(name)} | ${escapeMarkdownCell(value)} |`),
    ].join('\n');
  return `${table(t('share.markdown_setup'), rows)}\n\n${table(t('share.markdown_result'), resultRows)}\n\n${url}\n`;
}

/** Stacks the given SVG elements into one standalone SVG document, with the text colour resolved. */
export function combineSvgs(svgs: readonly SVGSVGElement[], color: string, background: string): string {
  let y = 0;
  let width = 0;
  const parts: string[] = [];
  for (const svg of svgs) {
    const box = svg.viewBox.baseVal;
    const copy = svg.cloneNode(true) as SVGSVGElement;
    copy.setAttribute('x', '0');
    copy.setAttribute('y', String(y));
    copy.setAttribute('width', String(box.width));
    copy.setAttribute('height', String(box.height));
    parts.push(new XMLSerializer().serializeToString(copy));
    y += box.height + 16;
    width = Math.max(width, box.width);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" style="color:${color};font-family:sans-serif"><rect width="100%" height="100%" fill="${background}"/>${parts.join('')}</svg>`;
}

/** Offers text as a file download. */
export function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
