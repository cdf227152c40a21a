import { useState } from 'preact/hooks';
import type { Term } from '../core';
import { formatSignificant, type Quantity } from '../format';
import { useI18n } from '../i18n/context';
import { termLabel } from '../messages';

interface TermTableProps {
  /** The root term; its children are the table's top rows. */
  root: Term;
  format: (value: number) => Quantity;
  /** Swatch colour per top-level key, matching a chart. */
  colors?: Record<string, string>;
  caption: string;
  nameHeading: string;
  valueHeading: string;
  testId: string;
}

/** A table of a term tree: top-level rows first, each expandable to its parts. */
export function TermTable({ root, format, colors, caption, nameHeading, valueHeading, testId }: TermTableProps) {
  const { lang, t } = useI18n();
  return (
    <table class="terms" data-testid={testId}>
      <caption class="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{nameHeading}</th>
          <th scope="col" class="num">{valueHeading}</th>
          <th scope="col" class="num">{t('memory.share')}</th>
        </tr>
      </thead>
      <tbody>
        {(root.children ?? []).map((term) => (
          <TermRows key={term.key} term={term} depth={0} total={root.value} format={format} color={colors?.[term.key]} path={term.key} />
        ))}
        <tr class="sum">
          <th scope="row">{termLabel(lang, root.key)}</th>
          <Value quantity={format(root.value)} testId={`${testId}-total`} />
          <td class="num">100%</td>
        </tr>
      </tbody>
    </table>
  );
}

interface TermRowsProps {
  term: Term;
  depth: number;
  total: number;
  format: (value: number) => Quantity;
  color: string | undefined;
  path: string;
}

function TermRows({ term, depth, total, format, color, path }: TermRowsProps) {
  const { lang, t, locale } = useI18n();
  const [open, setOpen] = useState(false);
  const children = term.children ?? [];
  // A single child with the parent's own key (gradients → gradients) adds nothing.
  const expandable = children.length > 1 || (children.length === 1 && children[0]!.key !== term.key);
  const label = termLabel(lang, term.key);
  const share = total > 0 ? `${formatSignificant((100 * term.value) / total, locale, 2)}%` : '—';
  return (
    <>
      <tr class={depth === 0 ? 'top' : 'part'} data-term={path}>
        <th scope="row" style={{ paddingLeft: `${0.4 + depth * 1.1}em` }}>
          {expandable ? (
            <button type="button" class="expand" aria-expanded={open} aria-label={t('memory.expand', { term: label })} onClick={() => setOpen(!open)}>
              {open ? '▾' : '▸'}
            </button>
          ) : (
            <span class="expand-space" />
          )}
          {color && <span class="swatch" style={{ background: color }} aria-hidden="true" />}
          {label === term.key ? <code>{label}</code> : label}
        </th>
        <Value quantity={format(term.value)} testId={`term-${path}`} />
        <td class="num muted">{share}</td>
      </tr>
      {open && children.map((child) => <TermRows key={child.key} term={child} depth={depth + 1} total={total} format={format} color={undefined} path={`${path}/${child.key}`} />)}
    </>
  );
}

export function Value({ quantity, testId }: { quantity: Quantity; testId?: string }) {
  return (
    <td class="num" data-testid={testId}>
      {quantity.number}
      {quantity.unit && <span class="unit"> {quantity.unit}</span>}
    </td>
  );
}
