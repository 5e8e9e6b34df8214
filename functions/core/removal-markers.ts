/**
 * Records created where a removed record with the same id may have been (ports.ts RemovalMarker):
 * a path that creates records of a kind staff may remove reads their ids' removal markers and
 * creates each above its marker, checked at commit (ports.ts Creation). Staff upserts read the
 * marker in their own batch (staff-upsert.ts); a deploy that adds records (register-project.ts)
 * and an approved change request that adds deliverables (decide-change-request.ts) use this.
 */
import type { Entity, ProjectChild } from './model.js';
import type { ChildRef, Creation, ProjectStore } from './ports.js';

/** The kinds of record staff may remove (staff-remove-record.ts): only they leave markers. */
export const REMOVABLE_KINDS: ReadonlySet<ProjectChild> = new Set<ProjectChild>([
  'task',
  'risk',
  'member',
  'resource',
  'test_case',
  'deployment',
  'training_session',
  'lesson',
]);

/** Marker reads per request (BatchGetItem's limit). */
const MARKERS_PER_READ = 100;

type Child = Exclude<Entity, { entity: 'project' | 'link' | 'digest' }>;

/** The key of a record within its project as a store reference. */
export function childRef(record: Child): ChildRef {
  switch (record.entity) {
    case 'stage':
      return { entity: 'stage', projectId: record.projectId, id: record.key };
    case 'gate':
      return { entity: 'gate', projectId: record.projectId, id: record.stage };
    case 'member':
    case 'stakeholder':
      return { entity: record.entity, projectId: record.projectId, id: record.email.toLowerCase() };
    default:
      return { entity: record.entity, projectId: record.projectId, id: record.id };
  }
}

/** Whether `record` is a creation (version 0) of a kind staff may remove. */
function createsRemovable(record: Entity): record is Child {
  return record.version === 0 && REMOVABLE_KINDS.has(record.entity as ProjectChild);
}

/** How many records of `records` are creations of a removable kind (each one more transaction item). */
export function removableCreations(records: readonly Entity[]): number {
  return records.filter(createsRemovable).length;
}

/**
 * `records` with each creation of a removable kind placed at the version of its id's removal
 * marker (0: none), and, in the same order, the creation that checks that marker at commit
 * (undefined for the records that are not such creations). One read per 100 such records.
 */
export async function aboveRemovalMarkers<T extends Entity>(
  store: Pick<ProjectStore, 'getRecords'>,
  records: readonly T[],
): Promise<{ records: T[]; creations: (Creation | undefined)[] }> {
  const created = records.flatMap((r, i) => (createsRemovable(r) ? [{ i, ref: childRef(r) }] : []));
  const creations: (Creation | undefined)[] = records.map(() => undefined);
  for (let n = 0; n < created.length; n += MARKERS_PER_READ) {
    const chunk = created.slice(n, n + MARKERS_PER_READ);
    const markers = await store.getRecords(chunk.map(({ ref }) => ({ entity: 'removed', ref }) as const));
    chunk.forEach(({ i, ref }, j) => {
      creations[i] = { ref, above: markers[j]?.version ?? 0 };
    });
  }
  return {
    records: records.map((r, i) => {
      const above = creations[i]?.above;
      return above ? { ...r, version: above } : r;
    }),
    creations,
  };
}
