/**
 * The `schedule:` entries of a pipeline file as TriggerSpecs, and their
 * checks beyond shape: the trigger module's own validation (cron through
 * croner, IANA time zones, business-day ranges, holiday calendars and
 * closed days), and `after:` naming another pipeline file.
 */
import type { CalendarRule, TriggerSpec } from '../triggers/trigger-spec';
import { validateTrigger } from '../triggers';
import type { DataPath, PathSegment } from './source-map';
import type { IssueList } from './spec-issue';
import { normalizeWorkspacePath, workspacePathProblem } from './workspace-path';

/** A schedule entry as the schema admits it. */
export interface RawTrigger {
  cron?: string;
  calendar?: { business_day?: number; business_days_after_month_end?: number; last_business_day?: true };
  after?: string;
  at?: string;
  timezone?: string;
  holidays?: { country: string; region?: string | null; closed_days?: string[]; weekend?: number[] };
}

/** The TriggerSpec of a schema-valid entry. */
export function toTriggerSpec(raw: RawTrigger): TriggerSpec {
  const timezone = raw.timezone ?? 'UTC';
  if (raw.cron !== undefined) return { kind: 'cron', cron: raw.cron.trim(), timezone };
  if (raw.after !== undefined) return { kind: 'after', pipeline: normalizeWorkspacePath(raw.after) };
  const cal = raw.calendar!;
  const rule: CalendarRule =
    cal.business_day !== undefined
      ? { type: 'business_day', n: cal.business_day }
      : cal.business_days_after_month_end !== undefined
        ? { type: 'business_days_after_month_end', n: cal.business_days_after_month_end }
        : { type: 'last_business_day' };
  const [h, m] = raw.at!.split(':');
  const spec: TriggerSpec = { kind: 'calendar', rule, at: `${h!.padStart(2, '0')}:${m}`, timezone };
  if (raw.holidays) {
    const { country, region, closed_days, weekend } = raw.holidays;
    spec.holidays = {
      country,
      ...(region != null ? { region } : {}),
      ...(closed_days ? { closedDays: [...closed_days] } : {}),
      ...(weekend ? { weekend: [...weekend] } : {}),
    };
  }
  return spec;
}

/** Checks the entries the schema passed; `file` is this pipeline's own path. */
export function checkSchedule(schedule: unknown, file: string, issues: IssueList): void {
  if (!Array.isArray(schedule)) return;
  schedule.forEach((raw: RawTrigger, i) => {
    const at: DataPath = ['schedule', i];
    if (issues.hasUnder(at)) return;
    if (raw.after !== undefined) {
      const problem = workspacePathProblem(raw.after, 'pipeline');
      if (problem) issues.at([...at, 'after'], problem);
      else if (normalizeWorkspacePath(raw.after) === normalizeWorkspacePath(file)) issues.at([...at, 'after'], 'a pipeline cannot run after itself');
      if (raw.timezone !== undefined) issues.at([...at, 'timezone'], "'timezone' applies to cron and calendar entries only", { key: true });
      return;
    }
    const problem = validateTrigger(toTriggerSpec(raw));
    if (problem !== undefined) {
      const { field, message } = splitProblem(problem);
      issues.at([...at, ...fieldPath(field, raw)], message);
    }
  });
}

/** validateTrigger's `field: text` into its parts. */
function splitProblem(problem: string): { field: string; message: string } {
  const m = /^([A-Za-z.]+): (.*)$/s.exec(problem);
  return m ? { field: m[1]!, message: m[2]! } : { field: '', message: problem };
}

/** A TriggerSpec field (`rule.n`, `holidays.closedDays`) as the path of the YAML key it came from. */
function fieldPath(field: string, raw: RawTrigger): PathSegment[] {
  const [head, sub] = field.split('.');
  switch (head) {
    case 'cron':
    case 'timezone':
    case 'at':
      return [head];
    case 'pipeline':
      return ['after'];
    case 'rule':
      return ['calendar', ...Object.keys(raw.calendar ?? {}).slice(0, 1)];
    case 'holidays':
      return sub ? ['holidays', sub.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] : ['holidays'];
    default:
      return [];
  }
}
