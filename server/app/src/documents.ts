/**
 * The documents service (receipts and vendor bills) wired to this server:
 * its metadata store and audit log, the OCR engine (tesseract, built in, or
 * an OCR service speaking the PRD's contract through a `rest` connection:
 * `documents.ocr_connection`), and Odoo through an `odoo`
 * connection. Without `documents.odoo_connection` documents are read and
 * reviewed, but every one waits for a person and nothing is posted.
 */
import type { Logger } from '@workbench/core';
import type { AuditLog } from '@workbench/audit';
import { FormData as UndiciFormData, type ConnectionManager } from '@workbench/connections';
import { DocumentService, IntakeSources, ServiceOcrEngine, TesseractEngine, type OcrEngine } from '@workbench/documents';
import type { OdooValue } from '@workbench/odoo';
import type { SecretStore } from '@workbench/secrets';
import type { MetadataStore } from '@workbench/store';
import type { WorkbenchConfig } from './config';

/** Placeholder origin the service engine builds URLs on; the rest client resolves the path against the connection's base_url. */
const SERVICE_BASE = 'http://ocr-service.invalid';

export function createDocuments(o: { config: WorkbenchConfig; store: MetadataStore; secrets: SecretStore; connections: ConnectionManager; audit: AuditLog; logger: Logger; now?: () => number }): { service: DocumentService; sources: IntakeSources } {
  const c = o.config.documents;
  const ocrName = c.ocrConnection;
  // The OCR service through its `rest` connection: the client adds the connection's base URL, auth and retry policy.
  const engine: OcrEngine = ocrName
    ? new ServiceOcrEngine({
        baseUrl: SERVICE_BASE,
        connection: ocrName,
        fetch: async (url, init) => (await o.connections.rest(ocrName)).request(url.slice(SERVICE_BASE.length), { method: init.method, headers: init.headers, body: asUndiciForm(init.body), signal: init.signal, idempotent: true }) as unknown as Response,
      })
    : new TesseractEngine();
  const odooName = c.odooConnection;
  const service = new DocumentService({
    store: o.store,
    dir: c.dir,
    engine,
    withOdoo: odooName
      ? (fn) =>
          o.connections.withOdoo(odooName, (session, settings) =>
            fn({ call: (model, method, args = [], kwargs = {}) => session.call(model, method, args as OdooValue[], kwargs as Record<string, OdooValue>) }, settings.company_id),
          )
      : undefined,
    audit: o.audit,
    logger: o.logger.child({ component: 'documents' }),
    policy: { confidenceThreshold: c.confidenceThreshold, autoApprove: c.autoApprove, fourEyes: { ...c.fourEyes } },
    limits: { maxBytes: c.maxBytes, maxPages: c.maxPages },
    linkBase: o.config.pipelines.publicUrl ? `${o.config.pipelines.publicUrl.replace(/\/$/, '')}${o.config.baseUrl}lab?document=` : undefined,
    postingLeaseMs: c.postingLeaseMs,
    workers: c.workers,
    now: o.now,
  });
  return { service, sources: new IntakeSources(o.store, o.secrets, o.now) };
}

/** The rest client sends undici's own FormData; the engine builds the global one. */
function asUndiciForm(form: FormData): UndiciFormData {
  const out = new UndiciFormData();
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') out.append(name, value);
    else out.append(name, value, value.name);
  }
  return out;
}
