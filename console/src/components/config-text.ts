/**
 * Variables as the editor shows them: one `NAME=value` a line. A value holding a line break or
 * leading/trailing spaces is written as a JSON string (`NAME="a\nb"`), so every value round-trips.
 */
export function formatVariables(variables: readonly { name: string; value: string }[]): string {
  return variables.map(({ name, value }) => `${name}=${/[\n\r"]|^\s|\s$/.test(value) ? JSON.stringify(value) : value}`).join('\n');
}

/** The variables of the editor's text, or the first line it cannot read (1-based) and why. */
export function parseVariables(text: string): { variables: Map<string, string> } | { line: number; problem: string } {
  const variables = new Map<string, string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) return { line: i + 1, problem: 'expected NAME=value' };
    const name = line.slice(0, eq).trim();
    let value = line.slice(eq + 1);
    if (value.startsWith('"')) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        return { line: i + 1, problem: 'a value starting with " must be a JSON string' };
      }
    }
    if (variables.has(name)) return { line: i + 1, problem: `${name} is set twice` };
    variables.set(name, value);
  }
  return { variables };
}

/** What to send so the revision's variables become `wanted`: changed or new ones set, missing ones unset. */
export function variableChanges(current: readonly { name: string; value: string }[], wanted: Map<string, string>) {
  const before = new Map(current.map((v) => [v.name, v.value]));
  const set = [...wanted].filter(([name, value]) => before.get(name) !== value).map(([name, value]) => ({ name, value }));
  const unset = [...before.keys()].filter((name) => !wanted.has(name));
  return { set, unset };
}
