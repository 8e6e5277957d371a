import { describe, expect, it } from 'vitest';
import { isLocalLoadRefused, loadDataText } from './load.js';

describe('loadDataText', () => {
  it('writes a row per line, tab-separated, NULL as \\N, and escapes what LOAD DATA would read as syntax', () => {
    expect(loadDataText([['a', 1, null, ''], ['tab\there', 'line\nbreak', 'cr\r', 'back\\slash', '\\N', 'nul\0', 'ünï 🌙']])).toBe(
      'a\t1\t\\N\t\n' + 'tab\\there\tline\\nbreak\tcr\\r\tback\\\\slash\t\\\\N\tnul\\0\tünï 🌙\n',
    );
  });

  it('writes nothing for no rows', () => {
    expect(loadDataText([])).toBe('');
  });
});

describe('isLocalLoadRefused', () => {
  it('knows the refusals of MySQL 8 and MariaDB, and nothing else', () => {
    expect([3948, 4166, 1148].map((errno) => isLocalLoadRefused({ errno }))).toEqual([true, true, true]);
    expect([isLocalLoadRefused({ errno: 1062 }), isLocalLoadRefused(new Error('x')), isLocalLoadRefused(null)]).toEqual([false, false, false]);
  });
});
