export { loadConfig, type Config } from './config/config.js';
export { startVerifier, type RunningVerifier } from './server.js';
export { verify, type VerifyOutcome, type VerifyRequest } from './pipeline/verify.js';
export { StageTimer } from './pipeline/stage-timer.js';
export { loadBundleManifest } from './models/bundle-manifest.js';
export { loadFaceModels, warmUp, type FaceModels } from './vision/face-models.js';
export { resolveBinary } from './media/video/ffmpeg-binaries.js';
