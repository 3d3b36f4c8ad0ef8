import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkRuleFile, checkTemplate, renderRules } from '../../../services/alerts/rules.ts';
import { BUILT_IN_TEMPLATES, renderExpression, resolveParameters } from '../../../services/alerts/templates.ts';
import { writeFileAtomically } from '../../../services/shared/atomic-file.ts';
import { monitoringAvailable } from '../../support/monitoring.ts';

describe('alert templates', () => {
  const params = BUILT_IN_TEMPLATES[0]!.parameters;

  it('should fill in defaults and accept numbers and durations of the right type only', () => {
    expect(resolveParameters(params, { threshold: 0.2 })).toEqual({ threshold: '0.2', window: '5m' });
    expect(() => resolveParameters(params, { threshold: '1) or vector(1' })).toThrow(/input.parameters.threshold must be a decimal/);
    expect(() => resolveParameters(params, { window: '5m]' })).toThrow(/input.parameters.window must be a Prometheus duration/);
    expect(() => resolveParameters(params, { other: 1 })).toThrow(/does not have/);
  });

  it('should fill the environment into ${cluster}, ${namespace} and ${app}', () => {
    expect(renderExpression('up{namespace="${namespace}",app="${app}",cluster="${cluster}"} > ${x}', { cluster: 'c', namespace: 'n', app: 'a' }, { x: '1' })).toBe('up{namespace="n",app="a",cluster="c"} > 1');
  });

  describe.runIf(monitoringAvailable('alert rule checks'))('with promtool', () => {
    it('should pass promtool check rules for every built-in template', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'gantry-rules-'));
      try {
        for (const template of BUILT_IN_TEMPLATES) expect(await checkTemplate(dir, template)).toBeNull();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('should report a broken rule file', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'gantry-rules-'));
      try {
        const file = join(dir, 'bad.rules.yml');
        const text = renderRules([{ id: '00000000-0000-0000-0000-000000000001', projectId: 'p', cluster: 'c', namespace: 'n', app: 'a', environment: 'e', templateName: 't', expression: 'sum(up', forSeconds: 0, severity: 'INFO', values: {} }]);
        await writeFileAtomically(file, text);
        expect(await checkRuleFile(file)).toMatch(/parse error|unclosed/i);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
