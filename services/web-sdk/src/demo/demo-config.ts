/**
 * What the verifier tells its demo page (GET demo/config.json): the mode, the clip
 * limits it enforces and, only in dev mode, the built-in dev key.
 */
import type { WireKey } from '../crypto/wire-cipher.js';

interface Limits {
  /** The service's VIDEO_MIN_SECONDS and VIDEO_MAX_SECONDS. */
  readonly minSeconds: number;
  readonly maxSeconds: number;
  /** How long the page records. */
  readonly recordSeconds: number;
}

/** `dev`: the service runs with the built-in dev key, so giving it to the page gives nothing away. */
export type DemoConfig =
  | (Limits & { readonly mode: 'dev'; readonly devKey: WireKey })
  | (Limits & { readonly mode: 'production' });

export async function loadDemoConfig(): Promise<DemoConfig> {
  const res = await fetch('demo/config.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`demo/config.json answered HTTP ${res.status}`);
  return (await res.json()) as DemoConfig;
}
