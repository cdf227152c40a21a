// Loads every message catalog before the tests run. The page loads each one
// on demand, but the components under test translate synchronously.
import { LANGS, loadCatalog, loadMoreMessages } from '../../web/src/i18n';

for (const lang of LANGS) await loadCatalog(lang);
await loadMoreMessages();
