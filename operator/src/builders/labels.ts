import { LABEL_MODEL, LABEL_SERVICE, LABEL_TRACK } from '../api/group.js';

/** A Deployment of a VerificationService: the one serving stable traffic or the canary. */
export type Track = 'stable' | 'canary';

/** Labels every child object carries; `silentid.dev/service` is also what the operator watches by. */
export function commonLabels(service: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'silentid-verifier',
    'app.kubernetes.io/instance': service,
    'app.kubernetes.io/managed-by': 'silentid-operator',
    [LABEL_SERVICE]: service,
  };
}

/** Selects the pods of one track; selectors are immutable, so the model is not part of it. */
export function trackSelector(service: string, track: Track): Record<string, string> {
  return { [LABEL_SERVICE]: service, [LABEL_TRACK]: track };
}

/** Labels of a pod: common, track, and the model it serves. */
export function podLabels(service: string, track: Track, model: string): Record<string, string> {
  return { ...commonLabels(service), [LABEL_TRACK]: track, [LABEL_MODEL]: model };
}

/** Name of a track's Deployment. */
export function deploymentName(service: string, track: Track): string {
  return `${service}-${track}`;
}
