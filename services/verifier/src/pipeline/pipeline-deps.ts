import type { Config } from '../config/config.js';
import type { FaceModels } from '../vision/face-models.js';
import type { FrameObserver } from './observe-frame.js';

/** What every use case needs: the loaded models and the limits and thresholds of the config. */
export interface PipelineDeps {
  readonly models: FaceModels;
  readonly config: Pick<
    Config,
    | 'image'
    | 'video'
    | 'sampling'
    | 'blinkSearch'
    | 'ffmpegPath'
    | 'ffprobePath'
    | 'livenessThreshold'
    | 'verificationCalibration'
  >;
  /** Where video frames are analysed; by default on the calling thread's models. */
  readonly frameObserver?: FrameObserver | undefined;
}
