import type { AreaRoute } from './area-route';
import { WecomFault } from './wecom-fault';

/** Channel QR codes (联系我, add_contact_way): a state of at most 30 characters, a config_id WeCom keeps, a QR code URL. */
export const contactWayRoutes: AreaRoute[] = [
  {
    method: 'POST',
    api: 'externalcontact/add_contact_way',
    handle: (state, { body }) => {
      const channel = String(body.state ?? '');
      if ([...channel].length > 30) throw new WecomFault(40058, 'state longer than 30 characters');
      state.log(`创建了渠道活码 state=${channel || '（无）'}`);
      return {
        config_id: `cfg${Buffer.from(channel).toString('hex')}`.slice(0, 32).padEnd(32, '0'),
        qr_code: `https://sandbox.invalid/qr/${encodeURIComponent(channel)}`,
      };
    },
  },
];
