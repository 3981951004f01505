/**
 * Run notifications (README.md): emails and signed webhooks when a run
 * succeeds, fails or misses its SLA, and `data_ready` events for the
 * datasets a successful run produced; each sent once across replicas.
 */
export { RunNotifier, type RunNotifierOptions, type SmtpSettings, type NotificationChannel, type NotificationRecord } from './run-notifier';
export { signWebhook, verifyWebhookSignature, SIGNATURE_HEADER, SIGNATURE_TOLERANCE_S, type SignatureCheck } from '@workbench/core';
export {
  runEventPayload,
  dataReadyPayload,
  runUrl,
  type RunEventPayload,
  type DataReadyPayload,
  type FailedTask,
  type NotificationPayload,
  type PipelineRef,
  type PayloadContext,
  type WebhookEvent,
  type RunWebhookEvent,
} from './notification-payload';
export { WEBHOOK_RETRIES, WEBHOOK_BASE_DELAY_MS, WEBHOOK_MAX_DELAY_MS, MAX_RETRY_AFTER_MS, webhookRetryDelayMs } from './webhook-delivery';
