/**
 * The components of the default bundle (faceplugin-dlib@1.3.0), sorted: what the tests
 * that place every model on a provider expect to find placed. One list, so that a bundle
 * that gains a component changes it once.
 */
export const DEFAULT_BUNDLE_COMPONENTS = [
  'descriptor',
  'detector',
  'embedder',
  'eyes',
  'landmarks',
  'liveness',
  'livenessWide',
] as const;
