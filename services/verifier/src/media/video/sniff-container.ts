/**
 * Identifies a video's container from its first bytes. ffprobe and ffmpeg are then told
 * the demuxer (`-f`) instead of guessing: their own probing would also accept playlists
 * (HLS, concat) that make them open other files or URLs, a known way to read server
 * files through an uploaded "video" (docs/decisions/0011-video-container-allowlist.md).
 */

/** The accepted containers, named as ffmpeg's demuxers. */
export type VideoContainer = 'mov' | 'matroska' | 'avi';

// ISO BMFF / QuickTime files start with a box whose type is one of these. 'ftyp' is the
// norm; old QuickTime files may begin with 'moov', 'mdat' or padding boxes.
const isoBoxTypes = new Set(['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pnot']);

const text = (bytes: Uint8Array, start: number, end: number): string =>
  String.fromCharCode(...bytes.subarray(start, end));

/** Returns the demuxer for the bytes' container (MP4/MOV/3GP, WebM/Matroska, AVI), or undefined. */
export function sniffVideoContainer(bytes: Uint8Array): VideoContainer | undefined {
  if (bytes.length < 12) return undefined;
  if (isoBoxTypes.has(text(bytes, 4, 8))) return 'mov';
  if (bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3)
    return 'matroska';
  if (text(bytes, 0, 4) === 'RIFF' && text(bytes, 8, 12) === 'AVI ') return 'avi';
  return undefined;
}
