import { useEffect, useState } from 'preact/hooks';
import type { FieldError, FieldSpec, GpuSpec } from '../core';
import { PAGE_UNITS, LORA_MODULES, formatTargets, parseTargets } from '../form-layout';
import { loadMoreMessages, lookup } from '../i18n';
import { useI18n } from '../i18n/context';
import { choiceLabel, describeFieldError, describeReason, fieldHelp, fieldLabel } from '../messages';

export interface FieldProps {
  field: FieldSpec;
  gpus: readonly GpuSpec[];
  text: string;
  error: FieldError | undefined;
  /** Shown in an empty optional field, for example the GPU table's value. */
  placeholder?: string;
  /** `commit` is true for a discrete change (select, checkbox), false while typing. */
  onEdit: (name: string, text: string, commit: boolean) => void;
}

const INPUT_MODES: Partial<Record<FieldSpec['kind'], 'numeric' | 'decimal'>> = { integer: 'numeric', number: 'decimal' };
/** The texts that the core reads as true for a boolean field (core/fields.cpp, any case). */
const TRUE_TEXTS = new Set(['true', '1', 'on', 'yes']);

/** One input with its label, unit, one-line help and error message. */
export function Field({ field, gpus, text, error, placeholder, onEdit }: FieldProps) {
  const { lang } = useI18n();
  const { name } = field;
  const id = `field-${name}`;
  const help = fieldHelp(lang, name);
  const unitKey = field.unit || PAGE_UNITS[name];
  const unit = unitKey ? (lookup(lang, `unit.${unitKey}`) ?? unitKey) : '';
  const describedBy = [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const common = { id, name, 'aria-describedby': describedBy, 'aria-invalid': error ? ('true' as const) : undefined };

  let control;
  if (name === 'lora_targets') {
    const checked = parseTargets(text);
    control = (
      <div class="checks" role="group" aria-labelledby={`${id}-label`} aria-describedby={describedBy}>
        {LORA_MODULES.map((module) => (
          <label key={module} class="check">
            <input
              type="checkbox"
              name={`${name}_${module}`}
              checked={checked.has(module)}
              onChange={(event) => {
                const next = new Set(checked);
                if (event.currentTarget.checked) next.add(module);
                else next.delete(module);
                onEdit(name, formatTargets(next), true);
              }}
            />
            {module}
          </label>
        ))}
      </div>
    );
  } else if (field.kind === 'choice') {
    const choices = field.choices ?? [];
    // A value that is not a choice (from the URL) stays selectable, so the form shows what was rejected.
    const options = choices.includes(text) || text === '' ? choices : [text, ...choices];
    control = (
      <select {...common} value={text} onChange={(event) => onEdit(name, event.currentTarget.value, true)}>
        {options.map((choice) => (
          <option key={choice} value={choice}>
            {name === 'gpu' ? (gpus.find((gpu) => gpu.id === choice)?.name ?? choice) : choiceLabel(lang, choice, name)}
          </option>
        ))}
      </select>
    );
  } else if (field.kind === 'boolean') {
    control = (
      <input {...common} type="checkbox" checked={TRUE_TEXTS.has(text.trim().toLowerCase())} onChange={(event) => onEdit(name, event.currentTarget.checked ? 'true' : 'false', true)} />
    );
  } else {
    // A text input, because a type="number" input reads "abc" as "" and the core could not name the bad text.
    control = (
      <input
        {...common}
        type="text"
        inputMode={INPUT_MODES[field.kind] ?? 'text'}
        autoComplete="off"
        spellcheck={false}
        value={text}
        placeholder={placeholder}
        onInput={(event) => onEdit(name, event.currentTarget.value, false)}
        onChange={(event) => onEdit(name, event.currentTarget.value, true)}
      />
    );
  }

  const label = fieldLabel(lang, name);
  return (
    <div class={`field${error ? ' invalid' : ''}${field.kind === 'boolean' ? ' boolean' : ''}`} data-field={name}>
      {name === 'lora_targets' ? <span class="label" id={`${id}-label`}>{label}</span> : <label for={id}>{label}</label>}
      <div class="control">
        {control}
        {unit && <span class="unit">{unit}</span>}
      </div>
      {help && <p class="help" id={`${id}-help`}>{help}</p>}
      {error && <FieldErrorText id={id} error={error} field={field} />}
    </div>
  );
}

/** Shows the error line of a field, loading the on-demand strings on first use when a coded reason needs them. */
function FieldErrorText({ id, error, field }: { id: string; error: FieldError; field: FieldSpec }) {
  const { lang, t } = useI18n();
  const [, setLoaded] = useState(false);
  const needsStrings = error.code === 'unsupported' && !!error.reason_code && describeReason(error, lang) === null;
  useEffect(() => {
    if (!needsStrings) return;
    const done = () => setLoaded(true);
    loadMoreMessages().then(done, done);  // the core's English reason stays if they fail to load
  }, [needsStrings]);
  return (
    <p class="error" id={`${id}-error`} role="alert">
      {describeFieldError(error, field, lang, t)}
    </p>
  );
}
