// Exports of a setup: JSON that the import button reads back, a Markdown
// summary table, and the charts as one SVG file.
import type { EstimateResponse, Query } from './core';
import { formatBytes, joinQuantity } from './format';
import type { Translate } from './i18n';

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
  peak_bytes: number | null;
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
    peak_bytes: detailed?.nvidia_smi_bytes ?? null,
    gpu_usable_bytes: detailed?.gpu_usable_bytes ?? null,
    fits: detailed?.fits ?? null,
    guide_total_bytes: response.guide?.memory_total_bytes ?? null,
  };
}

/** Reads an export back; throws an Error naming what is wrong. Values are validated later by the core, like URL values. */
export function parseExport(text: string): Query {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`invalid JSON (${(error as Error).message})`);
  }
  const record = data as Partial<SetupExport> | null;
  if (!record || typeof record !== 'object' || record.format !== EXPORT_FORMAT) {
    throw new Error(`"format" is not "${EXPORT_FORMAT}"`);
  }
  if (record.version !== EXPORT_VERSION) throw new Error(`unsupported version ${String(record.version)}, expected ${EXPORT_VERSION}`);
  const query = record.query;
  if (!query || typeof query !== 'object' || Array.isArray(query)) throw new Error('"query" is missing or not an object');
  const values: Query = {};
  for (const [key, value] of Object.entries(query)) {
    if (typeof value !== 'string') throw new Error(`"query.${key}" is not a string`);
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

/** A Markdown table of the setup and its result, in the page's language. */
export function makeMarkdown(response: EstimateResponse, rows: readonly [string, string][], url: string, t: Translate, locale: string): string {
  const bytes = (value: number | undefined) => (value === undefined ? '—' : joinQuantity(formatBytes(value, locale)));
  const detailed = response.detailed;
  const resultRows: [string, string][] = detailed
    ? [
        [t('memory.nvidia_smi'), bytes(detailed.nvidia_smi_bytes)],
        [t('memory.usable', { usable: '' }).trim(), bytes(detailed.gpu_usable_bytes)],
        [t('memory.reserved'), bytes(detailed.peak_reserved_bytes)],
        [t('memory.allocated'), bytes(detailed.peak_allocated_bytes)],
        [t('memory.max_micro_batch'), String(detailed.max_micro_batch)],
        [t('memory.max_seq_len'), String(detailed.max_seq_len)],
      ]
    : [];
  if (response.guide) resultRows.push([t('guide.total'), bytes(response.guide.memory_total_bytes)]);
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
