import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { CUSTOM_MODEL, MODEL_KEY, dataParallelSize, globalBatch } from '../calculator';
import type { FieldError, FieldSpec, GpuSpec, ModelResponse, PresetSummary, Query } from '../core';
import { ARCHITECTURE_FIELDS, FORM_GROUPS, fieldApplies } from '../form-layout';
import { formatInteger, formatSignificant } from '../format';
import { loadMoreMessages } from '../i18n';
import { useI18n } from '../i18n/context';
import { Field } from './Field';
import { ModelPicker } from './ModelPicker';

export interface InputFormProps {
  fields: readonly FieldSpec[];
  gpus: readonly GpuSpec[];
  presets: readonly PresetSummary[];
  texts: Query;
  errors: Record<string, FieldError>;
  /** The last accepted input, for the global batch line. */
  input: Query | null;
  /** The model's parameter count, shown in the empty params field. */
  modelParams: number | null;
  /** Fields to show; all when absent (embed.html shows a few). */
  only?: ReadonlySet<string>;
  onEdit: (name: string, text: string, commit: boolean) => void;
  onChooseModel: (id: string) => void;
  parseConfig: (text: string) => Promise<ModelResponse>;
  onConfig: (response: ModelResponse) => void;
}

/**
 * Renders a folded part of the form. It opens when `open` becomes true (a
 * default-open part, or an error inside) but never closes by itself, so fixing
 * an error leaves the field in view.
 */
function Folded({ open, summary, note, onOpen, children }: { open: boolean; summary: string; note?: string; onOpen: () => void; children: ComponentChildren }) {
  const details = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    if (open && details.current) details.current.open = true;
  }, [open]);
  return (
    <details class="advanced" ref={details} onToggle={(event) => (event.currentTarget as HTMLDetailsElement).open && onOpen()}>
      <summary>{summary}</summary>
      {note && <p class="help">{note}</p>}
      {children}
    </details>
  );
}

/** The calculator's inputs, grouped as a practitioner decides them. */
export function InputForm(props: InputFormProps) {
  const { fields, gpus, texts, errors, input, only } = props;
  const { t, locale } = useI18n();
  const byName = new Map(fields.map((field) => [field.name, field]));
  const gpu = gpus.find((spec) => spec.id === texts['gpu']);
  const placeholders: Query = {
    params: props.modelParams ? String(props.modelParams) : '',
    gpu_memory_gb: gpu ? formatSignificant(gpu.visible_memory_bytes / 1e9, 'en-US', 4) : '',
    gpu_bandwidth_tbps: gpu ? String(gpu.memory_bandwidth_bytes_per_s / 1e12) : '',
  };

  // The help lines of folded fields are on-demand strings (loadMoreMessages). The first opening of a
  // folded part loads them and re-renders the form, so its fields show their help.
  const [, setFoldedHelp] = useState(false);
  const loadFoldedHelp = () => {
    loadMoreMessages().then(
      () => setFoldedHelp(true),
      () => undefined, // the fields stay usable without their help lines
    );
  };

  const renderField = (name: string) => {
    const field = byName.get(name);
    if (!field || !fieldApplies(name, texts) || (only && !only.has(name))) return null;
    return <Field key={name} field={field} gpus={gpus} text={texts[name] ?? ''} error={errors[name]} placeholder={placeholders[name] || undefined} onEdit={props.onEdit} />;
  };
  // A folded part opens by itself when it contains an error, so the message is never hidden.
  const advanced = (names: readonly string[], summary: string, open = false, note?: string) => {
    const rendered = names.map(renderField).filter(Boolean);
    if (rendered.length === 0) return null;
    const hasError = names.some((name) => errors[name]);
    return (
      <Folded open={open || hasError} summary={summary} note={note} onOpen={loadFoldedHelp}>
        {rendered}
      </Folded>
    );
  };

  const custom = texts[MODEL_KEY] === CUSTOM_MODEL;
  return (
    <form class="inputs" onSubmit={(event) => event.preventDefault()} novalidate aria-label={t('app.calculator')}>
      {(!only || only.has(MODEL_KEY)) && (
        <fieldset>
          <legend>{t('group.model')}</legend>
          <ModelPicker
            presets={props.presets}
            model={texts[MODEL_KEY] ?? ''}
            error={errors[MODEL_KEY]}
            onChoose={props.onChooseModel}
            parseConfig={props.parseConfig}
            onConfig={props.onConfig}
          />
          {!only && advanced([...ARCHITECTURE_FIELDS, 'params'], t('group.architecture'), custom, custom ? undefined : t('group.architecture_note'))}
        </fieldset>
      )}
      {FORM_GROUPS.map((group) => {
        const main = group.main.map(renderField).filter(Boolean);
        if (main.length === 0) return null;
        return (
          <fieldset key={group.id}>
            <legend>{t(`group.${group.id}` as 'group.model')}</legend>
            {main}
            {group.id === 'batch' && input && (
              <p class="derived" data-testid="global-batch">
                {t('batch.global', {
                  global: formatInteger(globalBatch(input), locale),
                  micro: input['micro_batch'] ?? '',
                  accum: input['grad_accum'] ?? '',
                  dp: dataParallelSize(input),
                  tokens: formatInteger(globalBatch(input) * Number(input['seq_len']), locale),
                })}
              </p>
            )}
            {!only && advanced(group.advanced, t('group.advanced'))}
          </fieldset>
        );
      })}
    </form>
  );
}
