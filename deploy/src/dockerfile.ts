/**
 * A Dockerfile parser and the checks Workbench's images must pass, for a
 * machine with no Docker engine to build them. Syntax from
 * https://docs.docker.com/reference/dockerfile/: parser directives at the
 * top, `#` comments, the escape character continuing lines, `--flag=value`
 * options, exec (JSON) and shell forms. Heredocs are refused.
 *
 * The checks: known instructions; only ARG before the first FROM; base images
 * pinned by tag or digest (never `latest`); unique stage names; COPY --from
 * naming an earlier stage; COPY sources present in the build context and not
 * excluded by its ignore file; exec-form CMD / ENTRYPOINT; no ENV or ARG
 * whose name says secret; and a final USER that is not root.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, normalize } from 'node:path';

export interface DockerInstruction {
  line: number;
  /** Upper-case instruction name. */
  keyword: string;
  /** `--name=value` options before the arguments. */
  flags: Record<string, string>;
  /** Arguments after the flags, as written (continuations joined). */
  args: string;
  /** The arguments of the exec form, when they are a JSON array of strings. */
  json?: string[];
}

export interface DockerStage {
  name?: string;
  image: string;
  instructions: DockerInstruction[];
}

export interface Dockerfile {
  directives: Record<string, string>;
  instructions: DockerInstruction[];
  stages: DockerStage[];
}

export const INSTRUCTIONS = new Set([
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL', 'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
]);
const EXEC_FORM = new Set(['RUN', 'CMD', 'ENTRYPOINT', 'COPY', 'ADD', 'SHELL', 'VOLUME']);

export class DockerfileSyntaxError extends Error {}

export function parseDockerfile(text: string, where = 'Dockerfile'): Dockerfile {
  const lines = text.split(/\r?\n/);
  const directives: Record<string, string> = {};
  let i = 0;
  for (; i < lines.length; i++) {
    const m = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(\S+)\s*$/.exec(lines[i]!);
    if (!m || directives[m[1]!.toLowerCase()] !== undefined) break;
    directives[m[1]!.toLowerCase()] = m[2]!;
  }
  const escape = directives.escape ?? '\\';
  if (escape !== '\\' && escape !== '`') throw new DockerfileSyntaxError(`${where}: escape directive must be \\ or \``);
  const instructions: DockerInstruction[] = [];
  let buffer = '';
  let startLine = 0;
  for (; i < lines.length; i++) {
    const raw = lines[i]!;
    if (/^\s*#/.test(raw)) continue;
    if (buffer === '' && raw.trim() === '') continue;
    if (buffer === '') startLine = i + 1;
    const trimmed = raw.replace(/\s+$/, '');
    if (trimmed.endsWith(escape)) {
      buffer += trimmed.slice(0, -1) + ' ';
      continue;
    }
    buffer += raw;
    instructions.push(parseInstruction(buffer.trim(), startLine, where));
    buffer = '';
  }
  if (buffer.trim()) throw new DockerfileSyntaxError(`${where}:${startLine}: the file ends inside a continued line`);

  const stages: DockerStage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const m = /^(\S+)(?:\s+[aA][sS]\s+(\S+))?$/.exec(ins.args);
      if (!m) throw new DockerfileSyntaxError(`${where}:${ins.line}: FROM takes an image and an optional "AS name"`);
      stages.push({ image: m[1]!, name: m[2]?.toLowerCase(), instructions: [] });
    } else if (stages.length > 0) {
      stages[stages.length - 1]!.instructions.push(ins);
    }
  }
  return { directives, instructions, stages };
}

function parseInstruction(text: string, line: number, where: string): DockerInstruction {
  const m = /^(\S+)\s*([\s\S]*)$/.exec(text)!;
  const keyword = m[1]!.toUpperCase();
  let rest = m[2]!;
  const flags: Record<string, string> = {};
  for (let f = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(rest); f; f = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(rest)) {
    if (keyword === 'RUN' || keyword === 'COPY' || keyword === 'ADD' || keyword === 'FROM' || keyword === 'HEALTHCHECK') {
      flags[f[1]!] = f[2] ?? 'true';
      rest = rest.slice(f[0].length);
    } else {
      break;
    }
  }
  if (/<<-?["']?[A-Za-z_]/.test(rest) && (keyword === 'RUN' || keyword === 'COPY')) {
    throw new DockerfileSyntaxError(`${where}:${line}: heredocs are not supported by this parser`);
  }
  const ins: DockerInstruction = { line, keyword, flags, args: rest.trim() };
  if (EXEC_FORM.has(keyword) && ins.args.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(ins.args);
      if (Array.isArray(parsed) && parsed.every((a) => typeof a === 'string')) ins.json = parsed;
    } catch {
      // Docker runs a malformed exec form as a shell command; the lint reports it.
    }
  }
  return ins;
}

/** Shell-like words: whitespace-separated, with quotes and backslash escapes. */
export function splitWords(s: string): string[] {
  const words: string[] = [];
  let cur = '';
  let quote: string | undefined;
  let has = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < s.length) cur += s[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has || cur) words.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
    }
  }
  if (has || cur) words.push(cur);
  return words;
}

/** .dockerignore rules (Go filepath.Match patterns, `**`, `!` exceptions; later rules win). */
export function dockerignoreMatcher(text: string): (path: string) => boolean {
  const rules = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pattern = normalize(negate ? l.slice(1).trim() : l).replace(/^\/+/, '').replace(/\/+$/, '');
      return { negate, re: patternToRegex(pattern) };
    });
  return (path) => {
    const parts = normalize(path).replace(/^\/+/, '').split('/');
    let ignored = false;
    for (const rule of rules) {
      for (let n = 1; n <= parts.length; n++) {
        if (rule.re.test(parts.slice(0, n).join('/'))) {
          ignored = !rule.negate;
          break;
        }
      }
    }
    return ignored;
  };
}

function patternToRegex(pattern: string): RegExp {
  let re = '';
  const segs = pattern.split('/');
  segs.forEach((seg, i) => {
    const last = i === segs.length - 1;
    if (seg === '**') {
      re += last ? '.*' : '(?:[^/]+/)*';
      return;
    }
    re += seg.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
    if (!last) re += '/';
  });
  return new RegExp(`^${re}$`);
}

export interface DockerfileLintOptions {
  /** Build context directory: COPY sources (without --from) must exist there. */
  contextDir?: string;
  /** Text of the context's ignore file (<name>.Dockerfile.dockerignore or .dockerignore). */
  ignore?: string;
  /** Require at least two stages. */
  multiStage?: boolean;
  /** The exact USER the final stage must end with, e.g. "1000:1000". */
  user?: string;
}

const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;
const ROOT_USERS = new Set(['root', '0', 'root:root', '0:0', 'root:0', '0:root']);

/** Problems with a Dockerfile, each "line N: what" (empty when it passes). */
export function lintDockerfile(text: string, options: DockerfileLintOptions = {}): string[] {
  let df: Dockerfile;
  try {
    df = parseDockerfile(text);
  } catch (e) {
    return [(e as Error).message];
  }
  const errors: string[] = [];
  const at = (ins: DockerInstruction, why: string): void => {
    errors.push(`line ${ins.line}: ${why}`);
  };
  const ignored = options.ignore !== undefined ? dockerignoreMatcher(options.ignore) : () => false;
  const first = df.instructions.find((ins) => ins.keyword !== 'ARG');
  if (!first || first.keyword !== 'FROM') errors.push('the first instruction (after ARGs) must be FROM');
  if (options.multiStage && df.stages.length < 2) errors.push(`expected a multi-stage build, found ${df.stages.length} stage(s)`);
  const stageNames: string[] = [];
  let stageIndex = -1;
  for (const ins of df.instructions) {
    if (!INSTRUCTIONS.has(ins.keyword)) at(ins, `unknown instruction ${ins.keyword}`);
    if (ins.keyword === 'FROM') {
      stageIndex++;
      const stage = df.stages[stageIndex]!;
      if (!stageNames.includes(stage.image.toLowerCase()) && stage.image !== 'scratch') {
        const tag = /^[^@]+@sha256:[0-9a-f]{64}$/.test(stage.image) ? 'digest' : /:[\w][\w.-]{0,127}$/.exec(stage.image.replace(/^[^/]*\//, ''))?.[0];
        if (!tag) at(ins, `base image ${stage.image} must be pinned with a tag or digest`);
        else if (tag === ':latest') at(ins, `base image ${stage.image} must not use the latest tag`);
      }
      if (stage.name) {
        if (stageNames.includes(stage.name)) at(ins, `duplicate stage name ${stage.name}`);
        stageNames.push(stage.name);
      }
    }
    if (ins.keyword === 'ADD') at(ins, 'use COPY (ADD also fetches URLs and unpacks archives)');
    if ((ins.keyword === 'CMD' || ins.keyword === 'ENTRYPOINT') && !ins.json) at(ins, `${ins.keyword} must use the exec form (a JSON array) so the process gets signals`);
    if (ins.keyword === 'ENV' || ins.keyword === 'ARG') {
      const words = splitWords(ins.args);
      const names = ins.keyword === 'ENV' && words.length > 0 && !words[0]!.includes('=') ? [words[0]!] : words.map((w) => w.split('=')[0]!);
      for (const n of names) if (SECRET_NAME.test(n)) at(ins, `${ins.keyword} ${n} looks like a secret: pass secrets at run time (or with RUN --mount=type=secret), never in the image`);
    }
    if (ins.keyword === 'EXPOSE') {
      for (const p of splitWords(ins.args)) if (!/^\d{1,5}(\/(tcp|udp))?$/.test(p)) at(ins, `EXPOSE ${p} is not a port`);
    }
    if (ins.keyword === 'WORKDIR' && !ins.args.startsWith('/')) at(ins, 'WORKDIR must be an absolute path');
    if (ins.keyword === 'COPY') {
      const from = ins.flags.from;
      const words = ins.json ?? splitWords(ins.args);
      if (words.length < 2) at(ins, 'COPY needs at least one source and a destination');
      if (from !== undefined) {
        const known = df.stages.slice(0, stageIndex).some((s) => s.name === from.toLowerCase()) || (/^\d+$/.test(from) && Number(from) < stageIndex);
        if (!known && !/:[\w][\w.-]*$|@sha256:/.test(from)) at(ins, `COPY --from=${from} names no earlier stage (nor a pinned image)`);
      } else if (options.contextDir !== undefined) {
        for (const src of words.slice(0, -1)) checkSource(ins, src);
      }
    }
  }
  const final = df.stages[df.stages.length - 1];
  const users = final?.instructions.filter((ins) => ins.keyword === 'USER') ?? [];
  const user = users[users.length - 1]?.args;
  if (!user) errors.push('the final stage must set USER (a non-root user)');
  else if (ROOT_USERS.has(user)) errors.push(`the final stage runs as ${user}: USER must not be root`);
  else if (options.user !== undefined && user !== options.user) errors.push(`the final stage runs as ${user}, expected USER ${options.user}`);
  return errors;

  function checkSource(ins: DockerInstruction, src: string): void {
    const rel = normalize(src).replace(/^\/+/, '').replace(/\/+$/, '') || '.';
    if (rel === '..' || rel.startsWith('../')) return at(ins, `COPY source ${src} is outside the build context`);
    const dir = join(options.contextDir!, rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '.');
    const base = rel.slice(rel.lastIndexOf('/') + 1);
    let matches: string[];
    if (/[*?[]/.test(base)) {
      const re = patternToRegex(base);
      matches = existsSync(dir) ? readdirSync(dir).filter((n) => re.test(n)).map((n) => (rel.includes('/') ? `${rel.slice(0, rel.lastIndexOf('/'))}/${n}` : n)) : [];
    } else {
      matches = existsSync(join(options.contextDir!, rel)) ? [rel] : [];
    }
    if (matches.length === 0) return at(ins, `COPY source ${src} does not exist in the build context`);
    for (const m of matches) if (rel !== '.' && ignored(m)) at(ins, `COPY source ${m} is excluded by the ignore file`);
  }
}
