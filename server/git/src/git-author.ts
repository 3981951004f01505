/**
 * Who a commit is credited to. The committer is always the server; authors
 * are the users who made the change, extra ones as `Co-authored-by:`
 * trailers (https://docs.github.com/en/pull-requests/committing-changes-to-your-project/creating-and-editing-commits/creating-a-commit-with-multiple-authors).
 */
import { AppError } from '@workbench/core';

export interface GitAuthor {
  name: string;
  email: string;
}

// Characters that would corrupt a git ident line ("Name <email> time tz") or a trailer.
const FORBIDDEN = /[<>\0\r\n]/;

/** Throw `bad_request` unless `author` can be written into a commit as is. */
export function assertGitAuthor(author: unknown, role: string, action: string): asserts author is GitAuthor {
  const a = author as Partial<GitAuthor> | null | undefined;
  if (typeof a !== 'object' || a === null || typeof a.name !== 'string' || typeof a.email !== 'string') {
    throw new AppError('bad_request', `Cannot ${action}: the ${role} needs a name and an email`);
  }
  if (a.name.trim() === '') {
    throw new AppError('bad_request', `Cannot ${action}: the ${role} name is empty`);
  }
  if (FORBIDDEN.test(a.name) || FORBIDDEN.test(a.email)) {
    throw new AppError('bad_request', `Cannot ${action}: the ${role} ${JSON.stringify(a.name)} contains <, >, a line break or NUL`);
  }
}

/** Identity used to de-duplicate authors: the email (case-insensitive), or the name when there is no email. */
export function authorKey(author: GitAuthor): string {
  const email = author.email.trim().toLowerCase();
  return email === '' ? `name:${author.name.trim()}` : `email:${email}`;
}

/** The environment that makes git record `author` as the author of the next commit. */
export function authorEnv(author: GitAuthor): NodeJS.ProcessEnv {
  return { GIT_AUTHOR_NAME: author.name.trim(), GIT_AUTHOR_EMAIL: author.email.trim() };
}

/** The environment that makes git record `committer` as committer (and in reflogs). */
export function committerEnv(committer: GitAuthor): NodeJS.ProcessEnv {
  return { GIT_COMMITTER_NAME: committer.name.trim(), GIT_COMMITTER_EMAIL: committer.email.trim() };
}

/**
 * The full commit message: the caller's text, then one `Co-authored-by:`
 * trailer per co-author who is not the author (duplicates dropped).
 */
export function commitMessage(message: string, author: GitAuthor, coAuthors: readonly GitAuthor[], action: string): string {
  const text = typeof message === 'string' ? message.replace(/\r\n?/g, '\n').trim() : '';
  if (text === '') throw new AppError('bad_request', `Cannot ${action}: the commit message is empty`);
  const seen = new Set([authorKey(author)]);
  const trailers: string[] = [];
  for (const co of coAuthors) {
    const key = authorKey(co);
    if (seen.has(key)) continue;
    seen.add(key);
    trailers.push(`Co-authored-by: ${co.name.trim()} <${co.email.trim()}>`);
  }
  return trailers.length === 0 ? `${text}\n` : `${text}\n\n${trailers.join('\n')}\n`;
}
