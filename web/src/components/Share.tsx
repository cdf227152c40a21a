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

/** The HTML that embeds embed.html with `query`, plus a listener that sizes the iframe from the widget's height messages. */
export function makeEmbedCode(embedUrl: string): string {
  const escaped = embedUrl.replaceAll('&', '&amp;').replaceAll('"', '&quot;');
  return [
    `<iframe src="${escaped}" title="gpuplan" loading="lazy" style="width:100%;max-width:760px;height:520px;border:0"`,
    `  sandbox="allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox"></iframe>`,
    `<script>addEventListener('message',function(e){if(!e.data||e.data.type!=='gpuplan:height')return;`,
    `document.querySelectorAll('iframe').forEach(function(f){if(f.contentWindow===e.source)f.style.height=e.data.height+'px'})})</script>`,
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
