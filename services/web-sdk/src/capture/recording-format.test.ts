import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pickRecordingFormat } from '../index.js';

test('Chromium and Firefox: VP8 in WebM', () => {
  const chromium = new Set(['video/webm', 'video/webm;codecs=vp8', 'video/webm;codecs=vp9']);
  assert.deepEqual(
    pickRecordingFormat((t) => chromium.has(t)),
    {
      mimeType: 'video/webm;codecs=vp8',
      extension: 'webm',
    },
  );
});

test('Safari: H.264 in MP4', () => {
  assert.equal(pickRecordingFormat((t) => t.startsWith('video/mp4'))?.extension, 'mp4');
});

test('nothing recordable, or no MediaRecorder at all (Node): undefined', () => {
  assert.equal(
    pickRecordingFormat(() => false),
    undefined,
  );
  assert.equal(pickRecordingFormat(), undefined);
});
