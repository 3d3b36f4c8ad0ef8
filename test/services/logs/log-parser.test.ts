import { describe, expect, it } from 'vitest';
import { MAX_POD_LOG_MESSAGE, PodLogParser, positionKey, sinceTimeOf } from '../../../services/cluster/log-follow.ts';
import { checkFilter } from '../../../services/logs/filter.ts';

const T1 = '2026-01-01T10:00:00.100000000Z';
const T2 = '2026-01-01T10:00:00.2Z';

describe('reading a pod log stream', () => {
  it('should order kubelet timestamps of any precision as strings and resume from the whole second', () => {
    expect(positionKey(T2) > positionKey(T1)).toBe(true);
    expect(positionKey('2026-01-01T10:00:01Z') > positionKey('2026-01-01T10:00:00.999999999Z')).toBe(true);
    expect(sinceTimeOf({ time: T1, count: 1 })).toBe('2026-01-01T10:00:00Z');
  });

  it('should skip, after a reconnect, exactly the lines up to the position, also among lines sharing one timestamp', () => {
    const first = new PodLogParser(null);
    const lines = first.push(`${T1} a\n${T1} b\n${T2} c\n${T2} d\n`);
    expect(lines.map((l) => l.message)).toEqual(['a', 'b', 'c', 'd']);
    // Stopped after "c": the position says one line of T2 was taken.
    const resumed = new PodLogParser(lines[2]!.position);
    resumed.reconnected();
    expect(resumed.push(`${T1} a\n${T1} b\n${T2} c\n${T2} d\n2026-01-01T10:00:00.3Z e\n`).map((l) => l.message)).toEqual(['d', 'e']);
  });

  it('should put lines split across chunks back together and cut a line over 64 KiB, marking it', () => {
    const parser = new PodLogParser(null);
    expect(parser.push(`${T1} hel`)).toEqual([]);
    expect(parser.push('lo\n').map((l) => l.message)).toEqual(['hello']);
    const huge = 'x'.repeat(MAX_POD_LOG_MESSAGE * 3);
    const [cut] = [...parser.push(`${T2} ${huge.slice(0, 100_000)}`), ...parser.push(`${huge.slice(100_000)}\n`)];
    expect(cut!.message.length).toBeLessThanOrEqual(MAX_POD_LOG_MESSAGE);
    expect(cut!.message.endsWith('…[truncated]')).toBe(true);
  });
});

describe('log filters', () => {
  it('should accept RE2 syntax and refuse backreferences and lookaround naming filter.regex, without echoing the pattern', () => {
    expect(checkFilter({ regex: 'status=5\\d\\d' }).regex!.matcher('status=503').find()).toBe(true);
    for (const regex of ['(x)\\1', '(?<=secret)', 'a{2000}']) {
      expect(() => checkFilter({ regex })).toThrowError(expect.objectContaining({ code: 'BAD_USER_INPUT', details: { field: 'filter.regex' } }));
      try {
        checkFilter({ regex });
      } catch (error) {
        expect((error as Error).message).not.toContain('secret');
      }
    }
    expect(() => checkFilter({ pods: Array.from({ length: 101 }, (_, i) => `p${i}`) })).toThrowError(expect.objectContaining({ details: { field: 'filter.pods' } }));
  });
});
