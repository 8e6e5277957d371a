import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const flagsOf = (command: string): string[] => command.split(/\s+/).filter((word) => word.startsWith('--max-'));

describe('the node flags of the sleepsocial command', () => {
  it('are the ones `npm run bench` runs with, so S8 measures the rebuild as the command runs it', () => {
    const shebang = readFileSync(new URL('../bin/sleepsocial.mjs', import.meta.url), 'utf8').split('\n')[0] ?? '';
    const bench = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }).scripts.bench ?? '';
    expect(shebang).toMatch(/^#!\/usr\/bin\/env -S node /);
    expect(flagsOf(shebang)).not.toEqual([]);
    expect(flagsOf(bench)).toEqual(flagsOf(shebang));
  });
});
