/**
 * The onnxruntime execution providers the verifier can ask for, apart from the runtime
 * itself so that configuration can name them without loading the native binding.
 */

/** `webgpu` is Dawn over Vulkan, built into onnxruntime-node; `cuda` needs its provider libraries. */
export const EXECUTION_PROVIDERS = ['cpu', 'webgpu', 'cuda'] as const;
export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number];

/** Where one session runs: what was asked for, what it got, and why they differ. */
export interface Placement {
  readonly requested: ExecutionProvider;
  readonly provider: ExecutionProvider;
  /** Present only when `provider` is not `requested`. */
  readonly fallback?: string;
}

/**
 * Every session's placement by the threads that hold it, then by component: `main` (photos,
 * warm-up) and, when there are any, `frame_workers` (VISION_WORKERS).
 */
export type Placements = Readonly<Record<string, Readonly<Record<string, Placement>>>>;

/** Sessions that run elsewhere than requested, grouped by threads and reason. */
export interface Fallback {
  readonly threads: string;
  readonly requested: ExecutionProvider;
  readonly provider: ExecutionProvider;
  readonly components: readonly string[];
  readonly reason: string;
}

/** The fallbacks among `placements`, one per threads and reason: what start-up warns about. */
export function fallbacks(placements: Placements): Fallback[] {
  const found = new Map<string, Fallback & { components: string[] }>();
  for (const [threads, byComponent] of Object.entries(placements))
    for (const [component, p] of Object.entries(byComponent)) {
      if (p.fallback === undefined) continue;
      const key = JSON.stringify([threads, p.requested, p.provider, p.fallback]);
      const entry = found.get(key) ?? {
        threads,
        requested: p.requested,
        provider: p.provider,
        components: [],
        reason: p.fallback,
      };
      entry.components.push(component);
      found.set(key, entry);
    }
  return [...found.values()];
}

/** The provider each session got, by threads and component: the start-up log's summary. */
export function actualProviders(
  placements: Placements,
): Record<string, Record<string, ExecutionProvider>> {
  return Object.fromEntries(
    Object.entries(placements).map(([threads, byComponent]) => [
      threads,
      Object.fromEntries(Object.entries(byComponent).map(([c, p]) => [c, p.provider])),
    ]),
  );
}
