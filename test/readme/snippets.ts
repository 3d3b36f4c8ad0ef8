/**
 * Extracts README.md's fenced code blocks and says how each is checked. The info string after
 * the fence decides:
 *   sh           run with bash; every sh block of the file runs in ONE session, in file order,
 *                so blocks that chain (export a token, start Gantry, use it) work as a reader's
 *                terminal would
 *   js           run with node as an ES module (`--input-type=module`, from the project root, so
 *                its dependencies resolve), inside that same session, so it sees its variables
 *   js fragment  part of a program: only syntax-checked (`node --check`)
 *   graphql      parsed
 *   text         shown, never run (output examples, the code map, commands that never end)
 * Anything else, including a fence with no language, is an error: a block is either run or
 * explicitly marked as not runnable.
 */
export type SnippetKind = 'sh' | 'js' | 'js fragment' | 'graphql' | 'text';

export const KINDS: readonly string[] = ['sh', 'js', 'js fragment', 'graphql', 'text'];

export interface Snippet {
  /** 1-based line of the opening fence in README.md: what failure messages name. */
  line: number;
  info: string;
  code: string;
}

export function extractSnippets(markdown: string): Snippet[] {
  const lines = markdown.split('\n');
  const snippets: Snippet[] = [];
  let open: { line: number; info: string; fence: string; body: string[] } | null = null;
  lines.forEach((text, index) => {
    const fence = /^(\s*)(`{3,}|~{3,})(.*)$/.exec(text);
    if (!open) {
      if (fence) open = { line: index + 1, info: fence[3]!.trim(), fence: fence[2]!, body: [] };
      return;
    }
    if (fence && fence[2]!.startsWith(open.fence) && fence[3]!.trim() === '') {
      snippets.push({ line: open.line, info: open.info, code: open.body.join('\n') + '\n' });
      open = null;
      return;
    }
    open.body.push(text);
  });
  if (open) throw new Error(`README.md:${(open as { line: number }).line}: code block is never closed`);
  return snippets;
}
