/**
 * A parse error of caller-supplied text (YAML, JSON) described by position only. js-yaml's
 * message quotes the lines around the mistake; in a kubeconfig those lines hold tokens and
 * client keys, so the message itself is never passed on.
 */
export function parseErrorPosition(error: unknown): string {
  const { mark, reason } = (error ?? {}) as { mark?: { line?: unknown; column?: unknown }; reason?: unknown };
  // js-yaml's reasons are fixed phrases ("bad indentation of a mapping entry"), except a few that
  // quote a tag or alias name: keep only the plain ones.
  const what = typeof reason === 'string' && /^[a-z][a-z ,;()-]*$/i.test(reason) ? reason : 'syntax error';
  if (mark && typeof mark.line === 'number' && typeof mark.column === 'number') {
    return `${what} at line ${mark.line + 1}, column ${mark.column + 1}`;
  }
  return what;
}
