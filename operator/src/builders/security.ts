import type { V1PodSecurityContext, V1SecurityContext } from '@kubernetes/client-node';

/** The uid the images run as; any non-zero uid satisfies the restricted Pod Security Standard. */
export const RUN_AS_USER = 10001;

/** Pod-level settings of the `restricted` Pod Security Standard. */
export function restrictedPodSecurityContext(): V1PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: RUN_AS_USER,
    runAsGroup: RUN_AS_USER,
    fsGroup: RUN_AS_USER,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Container-level settings of the `restricted` standard, plus a read-only root filesystem. */
export function restrictedContainerSecurityContext(): V1SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
  };
}
