import { describe, expect, it } from 'vitest';
import { formatVariables, parseVariables, variableChanges } from '../../console/src/components/config-text.ts';

describe("the config editor's variables text", () => {
  it('should round-trip every value, quoting those with line breaks, quotes or edge spaces as JSON strings', () => {
    const variables = [
      { name: 'PLAIN', value: 'a=b c' },
      { name: 'LINES', value: 'one\ntwo' },
      { name: 'QUOTED', value: 'say "hi"' },
      { name: 'SPACED', value: ' padded ' },
      { name: 'EMPTY', value: '' },
    ];
    const text = formatVariables(variables);
    expect(text.split('\n')).toEqual(['PLAIN=a=b c', 'LINES="one\\ntwo"', 'QUOTED="say \\"hi\\""', 'SPACED=" padded "', 'EMPTY=']);
    const parsed = parseVariables(text);
    expect('variables' in parsed && [...parsed.variables].map(([name, value]) => ({ name, value }))).toEqual(variables);
  });

  it('should skip blank and comment lines, and name the first line it cannot read', () => {
    expect(parseVariables('# note\n\nA=1\r\n')).toEqual({ variables: new Map([['A', '1']]) });
    expect(parseVariables('A=1\nno equals sign')).toEqual({ line: 2, problem: 'expected NAME=value' });
    expect(parseVariables('A=1\nA=2')).toEqual({ line: 2, problem: 'A is set twice' });
    expect(parseVariables('A="unterminated')).toEqual({ line: 1, problem: 'a value starting with " must be a JSON string' });
  });

  it('should send only changed or new variables to set, and the missing ones to unset', () => {
    const current = [{ name: 'KEEP', value: '1' }, { name: 'CHANGE', value: 'old' }, { name: 'DROP', value: 'x' }];
    const wanted = new Map([['KEEP', '1'], ['CHANGE', 'new'], ['ADD', 'y']]);
    expect(variableChanges(current, wanted)).toEqual({ set: [{ name: 'CHANGE', value: 'new' }, { name: 'ADD', value: 'y' }], unset: ['DROP'] });
  });
});
