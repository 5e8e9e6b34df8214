/**
 * The baseline and approved changes as YAML for the spec file. Kept apart from baseline.ts so that
 * only the functions that write YAML (the http function: the baseline and change request routes)
 * bundle the YAML library; the status report and registration use baseline.ts alone.
 */
import { stringify } from 'yaml';
import type { BaselineChange, Project } from '../model.js';
import { baselineSpecPart, baselineVersion, stageOfField } from './baseline.js';

/** The current baseline as YAML, with a comment naming its version: paste it over the spec's fields. */
export function baselineYaml(project: Project): string {
  return `# ${project.id}: baseline ${baselineVersion(project)} (the spec's fields below replace those in projects/${project.id}.yaml)\n${stringify(baselineSpecPart(project.spec))}`;
}

/**
 * The YAML patch of changes: the spec's fields with the new values (a stage due date as its
 * entry of `stages`). Merge it into the spec file so that git holds the approved baseline.
 */
export function changePatchYaml(changes: BaselineChange[]): string {
  const patch: Record<string, unknown> = {};
  const section = (name: string) => {
    patch[name] ??= {};
    return patch[name] as Record<string, unknown>;
  };
  const stages: { key: string; due?: string }[] = [];
  for (const c of changes) {
    const [head, tail] = c.field.split('.', 2) as [string, string | undefined];
    const key = stageOfField(c.field);
    if (key) stages.push(c.new === null ? { key } : { key, due: c.new as string });
    else if (tail) section(head)[tail] = c.new;
    else patch[head] = c.new;
  }
  if (stages.length) patch.stages = stages;
  return stringify(patch);
}
