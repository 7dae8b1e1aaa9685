/** Pixels as the vision stages take them: packed 8-bit RGB, row-major, no padding. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** width × height × 3 bytes. */
  readonly data: Uint8Array;
}

/** One decoded video frame and when it was shown. */
export interface VideoFrame {
  readonly image: RgbImage;
  /** Presentation time in seconds from the start of the stream. */
  readonly timestamp: number;
  /**
   * The whole frame already resized to the face detector's input by the decoder, when
   * asked for (DecodeOptions.detectorSize): resizing every frame in JavaScript cost about
   * as much CPU as running the detector on it (docs/benchmarks.md).
   */
  readonly detectorImage?: RgbImage;
}
