/**
 * Field paths as the spec errors print them (`stages[2].gate.rule`). A module of its own: the
 * register function names fields without bundling the YAML parser of load.ts.
 */

/** `['stages', 2, 'gate', 'rule']` -> `stages[2].gate.rule`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}
