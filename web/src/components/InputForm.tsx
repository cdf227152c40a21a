import type { FieldError, FieldSpec, GpuSpec, PresetSummary, Query } from '../core';
import { useI18n } from '../i18n/context';
import { lookup, type Lang } from '../i18n';
import { choiceLabel, describeFieldError, fieldHelp, fieldLabel } from '../messages';

interface InputFormProps {
  fields: readonly FieldSpec[];
  gpus: readonly GpuSpec[];
  presets: readonly PresetSummary[];
  texts: Query;
  errors: Record<string, FieldError>;
  onEdit: (name: string, text: string) => void;
}

/** Groups fields in the core's order, keeping the order in which groups first appear. */
function groupFields(fields: readonly FieldSpec[]): [string, FieldSpec[]][] {
  const groups = new Map<string, FieldSpec[]>();
  for (const field of fields) {
    const list = groups.get(field.group) ?? [];
    list.push(field);
    groups.set(field.group, list);
  }
  return [...groups];
}

export function InputForm({ fields, gpus, presets, texts, errors, onEdit }: InputFormProps) {
  const { lang } = useI18n();
  return (
    <form class="inputs" onSubmit={(event) => event.preventDefault()} novalidate>
      {groupFields(fields).map(([group, members]) => (
        <fieldset key={group}>
          <legend>{lookup(lang, `group.${group}`) ?? group}</legend>
          {members.map((field) => (
            <Field
              key={field.name}
              field={field}
              gpus={gpus}
              presets={presets}
              text={texts[field.name] ?? ''}
              error={errors[field.name]}
              onEdit={onEdit}
            />
          ))}
        </fieldset>
      ))}
    </form>
  );
}

interface FieldProps {
  field: FieldSpec;
  gpus: readonly GpuSpec[];
  presets: readonly PresetSummary[];
  text: string;
  error: FieldError | undefined;
  onEdit: (name: string, text: string) => void;
}

function optionLabel(
  field: FieldSpec,
  choice: string,
  gpus: readonly GpuSpec[],
  presets: readonly PresetSummary[],
  lang: Lang,
): string {
  if (field.name === 'gpu') return gpus.find((gpu) => gpu.id === choice)?.name ?? choice;
  if (field.name === 'model') return presets.find((preset) => preset.id === choice)?.name ?? choiceLabel(lang, choice);
  return choiceLabel(lang, choice);
}

const INPUT_MODES: Partial<Record<FieldSpec['kind'], 'numeric' | 'decimal'>> = { integer: 'numeric', number: 'decimal' };

function Field({ field, gpus, presets, text, error, onEdit }: FieldProps) {
  const { lang, t } = useI18n();
  const id = `field-${field.name}`;
  const helpId = `${id}-help`;
  const errorId = `${id}-error`;
  const help = fieldHelp(lang, field.name);
  const unit = field.unit ? (lookup(lang, `unit.${field.unit}`) ?? field.unit) : '';
  const describedBy = [help ? helpId : '', error ? errorId : ''].filter(Boolean).join(' ') || undefined;

  let control;
  if (field.kind === 'choice') {
    const choices = field.choices ?? [];
    // A value that is not a choice (from the URL) stays selectable, so the form shows what was rejected.
    const options = choices.includes(text) || text === '' ? choices : [text, ...choices];
    control = (
      <select
        id={id}
        name={field.name}
        value={text}
        aria-describedby={describedBy}
        aria-invalid={error ? 'true' : undefined}
        onChange={(event) => onEdit(field.name, event.currentTarget.value)}
      >
        {options.map((choice) => (
          <option key={choice} value={choice}>
            {optionLabel(field, choice, gpus, presets, lang)}
          </option>
        ))}
      </select>
    );
  } else if (field.kind === 'boolean') {
    control = (
      <input
        id={id}
        name={field.name}
        type="checkbox"
        checked={text === 'true'}
        aria-describedby={describedBy}
        aria-invalid={error ? 'true' : undefined}
        onChange={(event) => onEdit(field.name, event.currentTarget.checked ? 'true' : 'false')}
      />
    );
  } else {
    // A text input, because a type="number" input reads "abc" as "" and the core could not name the bad text.
    control = (
      <input
        id={id}
        name={field.name}
        type="text"
        inputMode={INPUT_MODES[field.kind] ?? 'text'}
        autoComplete="off"
        spellcheck={false}
        value={text}
        aria-describedby={describedBy}
        aria-invalid={error ? 'true' : undefined}
        onInput={(event) => onEdit(field.name, event.currentTarget.value)}
      />
    );
  }

  return (
    <div class={error ? 'field invalid' : 'field'}>
      <label for={id}>{fieldLabel(lang, field.name)}</label>
      <div class="control">
        {control}
        {unit && <span class="unit">{unit}</span>}
      </div>
      {help && (
        <p class="help" id={helpId}>
          {help}
        </p>
      )}
      {error && (
        <p class="error" id={errorId} role="alert">
          {describeFieldError(error, field, lang, t)}
        </p>
      )}
    </div>
  );
}
