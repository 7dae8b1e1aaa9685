/** The seam every verification pipeline in the comparison implements. */
export interface PeerEncoder<E> {
  readonly name: string;
  /** One line for the report: models, comparison, quirks. */
  readonly description: string;
  /** What `compare` returns, for the report's tables. */
  readonly score: string;
  /** The subject's (largest) face's descriptor, or undefined when no face is found. */
  encode(file: string): Promise<E | undefined>;
  /** Higher = more alike. */
  compare(a: E, b: E): number;
}
