import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readTfjsWeights, TfjsWeightsError } from './tfjs-weights.js';

async function weightsDir(t: { after(fn: () => Promise<void>): void }) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tfjs-weights-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('float32, uint8 and uint16 weights are read as TF.js reads them, across shards', async (t) => {
  const dir = await weightsDir(t);
  const f32 = Buffer.alloc(8);
  f32.writeFloatLE(1.5, 0);
  f32.writeFloatLE(-2.25, 4);
  const u16 = Buffer.alloc(4);
  u16.writeUInt16LE(0, 0);
  u16.writeUInt16LE(1000, 2);
  // The second shard starts inside the uint8 tensor: shards are one byte stream.
  const stream = Buffer.concat([f32, Buffer.from([0, 10]), Buffer.from([255]), u16]);
  await writeFile(path.join(dir, 'a.bin'), stream.subarray(0, 9));
  await writeFile(path.join(dir, 'b.bin'), stream.subarray(9));
  const manifest = [
    {
      paths: ['a.bin', 'b.bin'],
      weights: [
        { name: 'f', shape: [2], dtype: 'float32' },
        {
          name: 'q8',
          shape: [3, 1],
          dtype: 'float32',
          quantization: { dtype: 'uint8', scale: 0.5, min: -1 },
        },
        {
          name: 'q16',
          shape: [2],
          dtype: 'float32',
          quantization: { dtype: 'uint16', scale: 0.001, min: 2 },
        },
      ],
    },
  ];
  await writeFile(path.join(dir, 'm.json'), JSON.stringify(manifest));
  const w = await readTfjsWeights(path.join(dir, 'm.json'));
  assert.deepEqual([...w.get('f')!.values], [1.5, -2.25]);
  assert.deepEqual(w.get('q8')!.shape, [3, 1]);
  assert.deepEqual([...w.get('q8')!.values], [-1, 4, 126.5]);
  const q16 = [...w.get('q16')!.values];
  assert.equal(q16[0], 2);
  assert.ok(Math.abs(q16[1]! - 3) < 1e-6);
});

test('a manifest whose shards are too short, too long or malformed is refused', async (t) => {
  const dir = await weightsDir(t);
  await writeFile(path.join(dir, 'a.bin'), Buffer.alloc(6));
  const manifest = (shape: number[]) => [
    { paths: ['a.bin'], weights: [{ name: 'w', shape, dtype: 'float32' }] },
  ];
  await writeFile(path.join(dir, 'short.json'), JSON.stringify(manifest([2])));
  await assert.rejects(readTfjsWeights(path.join(dir, 'short.json')), /shards end inside weight w/);
  await writeFile(path.join(dir, 'long.json'), JSON.stringify(manifest([1])));
  await assert.rejects(readTfjsWeights(path.join(dir, 'long.json')), /2 bytes left unread/);
  await writeFile(path.join(dir, 'bad.json'), JSON.stringify({ weights: [] }));
  await assert.rejects(readTfjsWeights(path.join(dir, 'bad.json')), TfjsWeightsError);
});
