// Words the core's field errors in the page's language from the error code,
// the field and its limits. The core's English `message` is not shown, so
// both languages read alike.
import type { FieldError, FieldSpec } from './core';
import { formatLimits } from './format';
import { lookup, numberLocale, type Lang, type Translate } from './i18n';

/** At most this many choices are listed in a message; the GPU table alone has dozens. */
const MAX_LISTED_CHOICES = 8;

export function fieldLabel(lang: Lang, name: string): string {
  return lookup(lang, `field.${name}.label`) ?? name;
}

export function fieldHelp(lang: Lang, name: string): string | null {
  return lookup(lang, `field.${name}.help`);
}

/** Label of a choice: choice.<field>.<value> where two fields share a value name (full, off), else choice.<value>. */
export function choiceLabel(lang: Lang, choice: string, field = ''): string {
  return lookup(lang, `choice.${field}.${choice}`) ?? lookup(lang, `choice.${choice}`) ?? choice;
}

/** Label of a memory or parameter term: term.<key>, else the key itself (tensor names such as qkv_input). */
export function termLabel(lang: Lang, key: string): string {
  return lookup(lang, `term.${key}`) ?? key;
}

/**
 * Message key of the guide's memory total. The guide has one formula, for full
 * fine-tuning, so for LoRA, QLoRA and freeze its total is labelled as that
 * formula's figure rather than as an estimate of the chosen method.
 */
export function guideTotalKey(method: string | undefined): 'guide.total' | 'guide.total_full_formula' {
  return method === 'lora' || method === 'qlora' || method === 'freeze' ? 'guide.total_full_formula' : 'guide.total';
}

function describeAccepted(error: FieldError, field: FieldSpec | undefined, lang: Lang, t: Translate): string {
  const locale = numberLocale(lang);
  const min = error.min ?? field?.min;
  const max = error.max ?? field?.max;
  const choices = error.choices?.length ? error.choices : field?.choices;

  if (choices && choices.length > 0 && (error.code === 'unknown_choice' || field?.kind === 'choice')) {
    const listed = choices.slice(0, MAX_LISTED_CHOICES).join(', ');
    const text =
      choices.length > MAX_LISTED_CHOICES
        ? t('accepted.more_choices', { choices: listed, count: choices.length - MAX_LISTED_CHOICES })
        : listed;
    return t('accepted.choices', { choices: text });
  }
  if (min !== undefined && max !== undefined) {
    const [minText, maxText] = formatLimits(min, max, locale);
    const unit = field?.unit ? t('accepted.unit', { unit: lookup(lang, `unit.${field.unit}`) ?? field.unit }) : '';
    const limits = { min: minText, max: maxText, unit };
    return field?.kind === 'integer' ? t('accepted.integer_range', limits) : t('accepted.range', limits);
  }
  return '';
}

/** Names of the arguments of each coded reason, in the order the core sends them. */
const REASON_PARAMS: Record<string, readonly string[]> = {
  num_gpus_multiple: ['parallel'],
  no_tensor_cores: ['gpu', 'dtype'],
  no_dtype_peak: ['gpu', 'dtype'],
};

/** Words a coded reason in `lang`, or returns null while its string has not loaded. */
export function describeReason(error: FieldError, lang: Lang): string | null {
  const names = REASON_PARAMS[error.reason_code ?? ''] ?? [];
  const params = Object.fromEntries(names.map((name, i) => [name, error.reason_args?.[i] ?? '']));
  return lookup(lang, `reason.${error.reason_code}`, params);
}

/** Words an error as one sentence naming the field, the problem with the value and the accepted values. */
export function describeFieldError(error: FieldError, field: FieldSpec | undefined, lang: Lang, t: Translate): string {
  const value = error.value;
  // The core reports empty text as not_a_number, but "“” is not a number" would read oddly.
  const empty = value.trim() === '' && (error.code === 'not_a_number' || error.code === 'missing');
  const problem = (() => {
    if (empty) return t('error.missing');
    switch (error.code) {
      case 'missing':
        return t('error.missing');
      case 'not_a_number':
        return t('error.not_a_number', { value });
      case 'not_an_integer':
        return t('error.not_an_integer', { value });
      case 'out_of_range':
        return t('error.out_of_range', { value });
      case 'unknown_choice':
        return t('error.unknown_choice', { value });
      case 'unknown_field':
        return t('error.unknown_field', { value: error.field });
      case 'invalid_json':
        return t('error.invalid_json');
      case 'unsupported': {
        // The core's reason names the conflicting settings in English; a coded one is worded here once the
        // on-demand strings have loaded (loadMoreMessages).
        const reason = (error.reason_code && describeReason(error, lang)) || error.reason;
        return reason ? t('error.unsupported_reason', { value, reason }) : t('error.unsupported', { value });
      }
      case 'too_large':
        return t('error.too_large');
      default:
        // A code that the core added after this page was written falls back to the core's English message.
        return error.message;
    }
  })();
  const accepted = error.code === 'unsupported' ? '' : describeAccepted(error, field, lang, t);
  return t('error.field', { field: fieldLabel(lang, error.field), problem, accepted }).trim();
}
