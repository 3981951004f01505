import { execFileSync } from 'node:child_process';
import { gitBlobId } from './git-blob';

describe('gitBlobId', () => {
  it('is the id git itself gives the same content', () => {
    for (const text of ['', 'x', '{\n "cells": []\n}\n', 'é ✓ multi-byte\n']) {
      expect(gitBlobId(text)).toBe(execFileSync('git', ['hash-object', '--stdin'], { input: text }).toString().trim());
    }
  });
});
