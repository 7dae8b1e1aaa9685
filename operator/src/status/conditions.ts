import type { Condition } from '../api/object-meta.js';

/** A condition before time and generation are stamped on it. */
export type ConditionInput = Pick<Condition, 'type' | 'status' | 'reason' | 'message'>;

/**
 * Merges conditions into an existing list, keeping `lastTransitionTime` when the status
 * did not change, as the API conventions ask, so unchanged status stays byte-identical.
 */
export function mergeConditions(
  existing: Condition[] | undefined,
  updates: ConditionInput[],
  generation: number,
  now: Date,
): Condition[] {
  const previous = new Map((existing ?? []).map((c) => [c.type, c]));
  const merged = updates.map((update): Condition => {
    const before = previous.get(update.type);
    const changed = !before || before.status !== update.status;
    return {
      ...update,
      observedGeneration: generation,
      lastTransitionTime: changed ? now.toISOString() : before.lastTransitionTime,
    };
  });
  const updated = new Set(updates.map((u) => u.type));
  return [...merged, ...(existing ?? []).filter((c) => !updated.has(c.type))].sort((a, b) =>
    a.type.localeCompare(b.type),
  );
}

/** Finds a condition by type. */
export function findCondition(
  conditions: Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}
