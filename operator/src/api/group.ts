/** API group, version and resource names of silentid's custom resources. */
export const GROUP = 'silentid.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

/** The field manager every server-side apply of the operator uses. */
export const FIELD_MANAGER = 'silentid-operator';

/** The finalizer-free ownership label: every child object names its VerificationService. */
export const LABEL_SERVICE = 'silentid.dev/service';
/** Which Deployment a pod belongs to during a rollout: `stable` or `canary`. */
export const LABEL_TRACK = 'silentid.dev/track';
/** The FaceModel a pod serves. */
export const LABEL_MODEL = 'silentid.dev/model';
