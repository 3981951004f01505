/**
 * The documents service (receipts and vendor bills) wired to this server:
 * its metadata store and audit log, the OCR engine (tesseract, built in;
 * the OCR service contract of PRD §6.3 is not wired yet), and Odoo through an `odoo`
 * connection. Without `documents.odoo_connection` documents are read and
 * reviewed, but every one waits for a person and nothing is posted.
 */
import type { Logger } from '@workbench/core';
import type { AuditLog } from '@workbench/audit';
import type { ConnectionManager } from '@workbench/connections';
import { DocumentService, IntakeSources, TesseractEngine, type OcrEngine } from '@workbench/documents';
import type { OdooValue } from '@workbench/odoo';
import type { SecretStore } from '@workbench/secrets';
import type { MetadataStore } from '@workbench/store';
import type { WorkbenchConfig } from './config';

export function createDocuments(o: { config: WorkbenchConfig; store: MetadataStore; secrets: SecretStore; connections: ConnectionManager; audit: AuditLog; logger: Logger; now?: () => number }): { service: DocumentService; sources: IntakeSources } {
  const c = o.config.documents;
  const engine: OcrEngine = new TesseractEngine();
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
