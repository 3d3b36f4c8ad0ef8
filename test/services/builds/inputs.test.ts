import { describe, expect, it } from 'vitest';
import { requireCloneUrl, requireGitRef, requireVariableName, requireVariableValue } from '../../../services/builds/inputs.ts';

const refused = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return 'accepted';
};

describe('build inputs', () => {
  it.each(['https://git.example.com/shop/api.git', 'ssh://git@git.example.com/shop/api.git', 'git://127.0.0.1:9418/api.git', 'git@git.example.com:shop/api.git'])(
    'should accept the clone URL %s',
    (url) => expect(requireCloneUrl('u', url, false)).toBe(url),
  );

  it.each([
    ['a remote helper', 'ext::sh -c touch% /tmp/pwned'],
    ['file:// without the dev flag', 'file:///srv/repo.git'],
    ['an option', '--upload-pack=touch /tmp/pwned'],
    ['plain http', 'http://git.example.com/a.git'],
    ['an scp host that is an option', 'git@-oProxyCommand=x:a/b'],
    ['spaces', 'https://git.example.com/a b.git'],
  ])('should refuse %s as a clone URL', (_, url) => expect(refused(() => requireCloneUrl('u', url, false))).toBe('BAD_USER_INPUT'));

  it('should accept file:// only with GANTRY_ALLOW_FILE_REPOS', () => {
    expect(requireCloneUrl('u', 'file:///srv/repo.git', true)).toBe('file:///srv/repo.git');
  });

  it.each(['main', 'release/1.2', 'v1.0.0', 'a'.repeat(40)])('should accept the ref %s', (ref) => expect(requireGitRef('r', ref)).toBe(ref));
  it.each(['-u', '--output=x', 'a..b', 'a b', 'x~1', 'HEAD^', 'a:b', '', 'a/', 'x.lock', 'a@{1}'])('should refuse the ref %j', (ref) =>
    expect(refused(() => requireGitRef('r', ref))).toBe('BAD_USER_INPUT'),
  );

  it('should take only variable names and one-line values', () => {
    expect(requireVariableName('v', 'GO_VERSION')).toBe('GO_VERSION');
    expect(refused(() => requireVariableName('v', '1X'))).toBe('BAD_USER_INPUT');
    expect(refused(() => requireVariableName('v', 'A-B'))).toBe('BAD_USER_INPUT');
    expect(requireVariableValue('v', 3)).toBe('3');
    expect(refused(() => requireVariableValue('v', 'a\nRUN evil'))).toBe('BAD_USER_INPUT');
    expect(refused(() => requireVariableValue('v', { nested: true }))).toBe('BAD_USER_INPUT');
  });
});
