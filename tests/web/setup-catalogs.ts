// Loads every message catalog before the tests run. The page loads each one
// on demand, but the components under test translate synchronously.
import { LANGS, loadCatalog } from '../../web/src/i18n';

for (const lang of LANGS) await loadCatalog(lang);
