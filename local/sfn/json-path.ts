/**
 * ASL reference paths (`$.enter.waitUntil`, `$['a b'][0]`, `$$.Execution.Input.x`): the paths
 * that select one node, which is all a Wait state's `TimestampPath`, `SecondsPath` and
 * `InputPath` may be. Anything else (wildcards, filters) is not a reference path: undefined.
 */

const STEP = /^(?:\.([^.[\]\s]+)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\])/;

/**
 * The node `path` selects in `data` (`$...`) or in `context` (`$$...`); undefined when it is
 * absent or `path` is not a reference path.
 */
export function selectReferencePath(path: string, data: unknown, context: unknown = {}): unknown {
  let node: unknown;
  let rest: string;
  if (path.startsWith('$$')) {
    node = context;
    rest = path.slice(2);
  } else if (path.startsWith('$')) {
    node = data;
    rest = path.slice(1);
  } else {
    return undefined;
  }
  while (rest.length > 0) {
    const m = STEP.exec(rest);
    if (!m) return undefined;
    rest = rest.slice(m[0].length);
    if (m[2] !== undefined) {
      if (!Array.isArray(node)) return undefined;
      node = node[Number(m[2])];
    } else {
      const key = m[1] ?? (m[3] ?? m[4] ?? '').replace(/\\(.)/g, '$1');
      if (!node || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, key)) {
        return undefined;
      }
      node = (node as Record<string, unknown>)[key];
    }
  }
  return node;
}
