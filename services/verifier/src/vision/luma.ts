/** Grey level (ITU-R BT.601 luma) of the packed RGB pixel that starts at byte `i`. */
export const luma = (rgb: Uint8Array, i: number): number =>
  0.299 * rgb[i]! + 0.587 * rgb[i + 1]! + 0.114 * rgb[i + 2]!;
