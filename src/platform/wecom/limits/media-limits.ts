import { createHash } from 'node:crypto';
import type { LimitFault } from './check-limits';

/**
 * WeCom's limits on pictures and files (上传临时素材 and the group robot's image message). WeCom
 * refuses what is over them, and the person sees nothing: the outbound queue fails such a message
 * with the reason before calling, and the fakes of WeCom refuse it with WeCom's errcode.
 */

/** A group robot `image`: the picture (before base64) is at most 2 MB, JPG or PNG. */
export const ROBOT_IMAGE_MAX_BYTES = 2 * 1024 * 1024;

/** media/upload per type: at most this many bytes (and more than 5), in these formats. A media_id is valid 3 days. */
export const MEDIA_LIMITS = {
  image: { maxBytes: 10 * 1024 * 1024, formats: ['jpg', 'png'] },
  voice: { maxBytes: 2 * 1024 * 1024, formats: ['amr'] },
  video: { maxBytes: 10 * 1024 * 1024, formats: ['mp4'] },
  file: { maxBytes: 20 * 1024 * 1024, formats: null },
} as const;

export const MEDIA_MIN_BYTES = 5;

/** How long WeCom keeps temporary media: a media_id older than this is refused (40007). */
export const MEDIA_VALIDITY_MS = 3 * 24 * 3600_000;

/** The picture format by its first bytes (not by a name anyone chose). */
export function imageFormat(bytes: Buffer): 'png' | 'jpg' | null {
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpg';
  return null;
}

export const md5Hex = (bytes: Buffer): string => createHash('md5').update(bytes).digest('hex');

const fault = (errcode: number, errmsg: string): LimitFault => ({
  errcode,
  errmsg: `${errmsg}, more info at https://open.work.weixin.qq.com/devtool/query?e=${errcode}`,
});

/** What WeCom answers a robot `image` it refuses (null: it takes it): no picture, not JPG/PNG, over 2 MB, an md5 that is not the picture's. */
export function checkRobotImage(image: { base64?: unknown; md5?: unknown } | undefined): LimitFault | null {
  const base64 = typeof image?.base64 === 'string' ? image.base64 : '';
  if (!base64 || typeof image?.md5 !== 'string') return fault(40058, 'invalid parameter: image.base64 and image.md5 required');
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length > ROBOT_IMAGE_MAX_BYTES) return fault(40009, `invalid image size: ${bytes.length} bytes, at most ${ROBOT_IMAGE_MAX_BYTES}`);
  if (!imageFormat(bytes)) return fault(40004, 'invalid media type: the image must be a JPG or PNG');
  if (md5Hex(bytes) !== image.md5.toLowerCase()) return fault(40058, 'media md5 not match');
  return null;
}

/** What WeCom answers a media/upload it refuses (null: it takes it). */
export function checkMediaUpload(type: string, file: { bytes: Buffer } | undefined): LimitFault | null {
  const limits = MEDIA_LIMITS[type as keyof typeof MEDIA_LIMITS];
  if (!limits) return fault(40005, `invalid type: ${type || '(none)'}`);
  if (!file || file.bytes.length === 0) return fault(44001, 'empty media data (the form needs a file in the field "media")');
  if (file.bytes.length <= MEDIA_MIN_BYTES) return fault(40006, `invalid file size: ${file.bytes.length} bytes, more than ${MEDIA_MIN_BYTES} needed`);
  if (type === 'image') {
    if (file.bytes.length > limits.maxBytes) return fault(40009, `invalid image size: ${file.bytes.length} bytes, at most ${limits.maxBytes}`);
    if (!imageFormat(file.bytes)) return fault(40004, 'invalid media type: an image must be a JPG or PNG');
  } else if (file.bytes.length > limits.maxBytes) return fault(40006, `invalid file size: ${file.bytes.length} bytes, at most ${limits.maxBytes}`);
  return null;
}
