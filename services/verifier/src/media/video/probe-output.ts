/**
 * The fields of ffprobe's JSON that the service reads. Its own module because both readers
 * produce it: ffprobe (probe-video.ts) and the in-process MP4 reader (probe-iso-bmff.ts),
 * which probe-video.ts calls first.
 */
import { z } from 'zod';

const streamSchema = z.object({
  index: z.number().int(),
  codec_type: z.string().optional(),
  codec_name: z.string().optional(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  duration: z.string().optional(),
  start_time: z.string().optional(),
  avg_frame_rate: z.string().optional(),
  r_frame_rate: z.string().optional(),
  color_transfer: z.string().optional(),
  disposition: z.object({ attached_pic: z.number().optional() }).optional(),
  tags: z.record(z.string(), z.string()).optional(),
  side_data_list: z.array(z.object({ rotation: z.number().optional() })).optional(),
});
export const probeSchema = z.object({
  streams: z.array(streamSchema).default([]),
  format: z
    .object({ duration: z.string().optional(), start_time: z.string().optional() })
    .optional(),
});
export type ProbeStream = z.infer<typeof streamSchema>;
/** ffprobe's JSON, the fields read here. */
export type ProbeOutput = z.infer<typeof probeSchema>;
