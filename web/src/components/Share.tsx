import { useState } from 'preact/hooks';
import { useI18n } from '../i18n/context';

interface ShareProps {
  onExportJson: () => void;
  onImportJson: (text: string) => void;
  onExportMarkdown: () => void;
  onExportSvg: () => void;
  /** The iframe snippet for the current setup. */
  embedCode: () => string;
}

/** Escapes text for a double-quoted HTML attribute value. */
export function escapeHtmlAttribute(text: string): string {
  const entities: Record<string, string> = { '&': '&amp;', '"': '&quot;', "'": '&#39;', '<': '&lt;', '>': '&gt;' };
  return text.replace(/[&"'<>]/g, (character) => entities[character]!);
}

/**
 * Builds the HTML that embeds `embedUrl` in an iframe, plus a listener that
 * sizes the iframe from the widget's height messages. The listener takes a
 * height only when it is a finite number sent by that iframe from its origin.
 */
export function makeEmbedCode(embedUrl: string): string {
  return [
    `<iframe src="${escapeHtmlAttribute(embedUrl)}" title="gpuplan" loading="lazy" style="width:100%;max-width:760px;height:520px;border:0"`,
    `  sandbox="allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox"></iframe>`,
    `<script>addEventListener('message',function(e){var d=e.data;if(!d||d.type!=='gpuplan:height'||typeof d.height!=='number'||!isFinite(d.height))return;`,
    `document.querySelectorAll('iframe').forEach(function(f){if(f.contentWindow===e.source&&new URL(f.src,location.href).origin===e.origin)f.style.height=Math.max(0,d.height)+'px'})})</script>`,
  ].join('\n');
}

/** Copy link, exports, import, and the embed code. */
export function Share(props: ShareProps) {
  const { t } = useI18n();
  const [status, setStatus] = useState<{ text: string; fallback?: string } | null>(null);

  async function copy(text: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(text);
      setStatus({ text: t('share.copied') });
    } catch {
      setStatus({ text: t('share.copy_failed'), fallback: text });
    }
  }

  async function importFile(file: File | undefined): Promise<void> {
    if (file) props.onImportJson(await file.text());
  }

  return (
    <section class="share" aria-labelledby="share-heading">
      <h2 id="share-heading" class="visually-hidden">
        {t('share.heading')}
      </h2>
      <div class="buttons">
        <button type="button" data-action="copy-link" onClick={() => void copy(window.location.href)}>
          {t('share.copy_link')}
        </button>
        <button type="button" onClick={props.onExportJson}>
          {t('share.export_json')}
        </button>
        <label class="button">
          {t('share.import_json')}
          <input type="file" accept=".json,application/json" class="visually-hidden" onChange={(event) => void importFile(event.currentTarget.files?.[0])} />
        </label>
        <button type="button" onClick={props.onExportMarkdown}>
          {t('share.export_markdown')}
        </button>
        <button type="button" onClick={props.onExportSvg}>
          {t('share.export_svg')}
        </button>
        <button type="button" data-action="copy-embed" onClick={() => void copy(props.embedCode())}>
          {t('share.copy_embed')}
        </button>
      </div>
      <div role="status" class="share-status">
        {status?.text}
        {status?.fallback && <textarea readOnly rows={4} value={status.fallback} aria-label={t('share.copy_failed')} />}
      </div>
    </section>
  );
}
