/**
 * The project's current baseline (GET /api/projects/{id}/baseline, `milepost baseline <id>`).
 *
 * Input: project id. Output: the baseline version, its fields as the spec writes them, and the
 * same as YAML to paste over the spec file's fields (projects stay code).
 */
import { baselineSpecPart, baselineVersion } from '../change-requests/baseline.js';
import { baselineYaml } from '../change-requests/baseline-yaml.js';
import { requireProject } from '../events.js';
import type { Deps } from '../ports.js';

export async function getBaseline(
  deps: Deps,
  projectId: string,
): Promise<{ projectId: string; baseline: number; fields: Record<string, unknown>; yaml: string }> {
  const project = await requireProject(deps, projectId);
  return {
    projectId,
    baseline: baselineVersion(project),
    fields: baselineSpecPart(project.spec),
    yaml: baselineYaml(project),
  };
}
