import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sniffVideoContainer } from './sniff-container.js';

const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(
    parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)),
  );

test('recognises ISO BMFF/QuickTime, Matroska/WebM and AVI', () => {
  assert.equal(sniffVideoContainer(bytes([0, 0, 0, 0x20], 'ftypisom', [0, 0, 2, 0])), 'mov');
  assert.equal(sniffVideoContainer(bytes([0, 0, 0, 8], 'wide', [0, 0, 0, 0x10], 'mdat')), 'mov');
  assert.equal(
    sniffVideoContainer(
      bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 1, 0x42, 0xf7, 0x81]),
    ),
    'matroska',
  );
  assert.equal(sniffVideoContainer(bytes('RIFF', [0, 0, 0, 0], 'AVI LIST')), 'avi');
});

test('refuses playlists, images, other RIFF files and short input', () => {
  assert.equal(sniffVideoContainer(bytes('#EXTM3U\n#EXT-X-VERSION:3\n')), undefined);
  assert.equal(sniffVideoContainer(bytes('ffconcat version 1.0\nfile /etc/passwd\n')), undefined);
  assert.equal(sniffVideoContainer(bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8 ')), undefined);
  assert.equal(
    sniffVideoContainer(bytes([0xff, 0xd8, 0xff, 0xe0], 'JFIF', [0, 1, 1, 0])),
    undefined,
  );
  assert.equal(sniffVideoContainer(bytes([0, 0, 0, 0x20], 'ftyp')), undefined);
});
