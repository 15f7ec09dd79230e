import { randomBytes } from 'node:crypto';
import { checkMediaUpload, MEDIA_VALIDITY_MS } from '../../../platform/wecom/limits/media-limits';
import type { AreaRoute } from './area-route';
import type { FakeWecomState } from './fake-wecom.state';
import { WecomFault } from './wecom-fault';

/**
 * 上传临时素材 (media/upload): a multipart upload (field `media`) becomes a media_id that every app of
 * the corp may send for 3 days. WeCom's limits and errcodes (limits/media-limits.ts): an image is a
 * JPG or PNG of more than 5 bytes and at most 10 MB; an unknown type 40005, no file 44001.
 */

export function uploadMedia(state: FakeWecomState, type: string, file: { filename?: string; contentType?: string; bytes: Buffer } | undefined) {
  const refused = checkMediaUpload(type, file);
  if (refused) throw new WecomFault(refused.errcode, refused.errmsg);
  const mediaId = `3${randomBytes(24).toString('base64url')}`;
  const contentType = file!.bytes[0] === 0xff ? 'image/jpeg' : 'image/png';
  state.media.set(mediaId, {
    type,
    filename: file!.filename ?? 'media',
    dataUrl: `data:${contentType};base64,${file!.bytes.toString('base64')}`,
    uploadedAt: state.now(),
  });
  // WeCom keeps temporary media three days: the older entries can go.
  for (const [id, m] of state.media) if (state.now() - m.uploadedAt > MEDIA_VALIDITY_MS) state.media.delete(id);
  return { type, media_id: mediaId, created_at: String(Math.floor(state.now() / 1000)) };
}

/** The picture a message names by media_id: 40007 when WeCom does not hold it (never uploaded, or older than 3 days). */
export function mediaImage(state: FakeWecomState, mediaId: unknown): string {
  const media = state.media.get(String(mediaId ?? ''));
  if (!media || state.now() - media.uploadedAt > MEDIA_VALIDITY_MS) throw new WecomFault(40007, 'invalid media_id');
  if (media.type !== 'image') throw new WecomFault(40007, 'invalid media_id (not an image)');
  return media.dataUrl;
}

export const mediaRoutes: AreaRoute[] = [
  { method: 'POST', api: 'media/upload', multipart: true, handle: (state, { query, file }) => uploadMedia(state, query.type ?? '', file) },
];
