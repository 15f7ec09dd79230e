import type { CorpTagGroup } from '../../../platform/wecom/api/wecom-api.types';

/**
 * What the sandbox's pretend company looks like on a first start: a few salespeople and their lead,
 * one team with a group robot, and corp tags matching templates/channel-rules.json. Kept small so a
 * newcomer recognises everything on the page.
 */

export interface SandboxStaff {
  userid: string;
  name: string;
  position: string;
}

export interface SandboxTeam {
  name: string;
  lead: string;
  members: string[];
  /** the group robot's key: its webhook URL is `<api base>/webhook/send?key=<key>` */
  robotKey: string;
  /** an app group chat (appchat/send) of the team, when it uses one */
  appChatId?: string;
  /** the group chat the sandbox's smart bot is in, when the sandbox plays the bot */
  botChatId?: string;
}

export const SEED_STAFF: SandboxStaff[] = [
  { userid: 'zhangwei', name: '张伟', position: '销售' },
  { userid: 'lina', name: '李娜', position: '销售' },
  { userid: 'wangfang', name: '王芳', position: '销售主管' },
];

export const SEED_TEAM: SandboxTeam = { name: '华东销售一组', lead: 'wangfang', members: ['zhangwei', 'lina'], robotKey: 'sandbox-east-1' };

const CREATED = 1_764_000_000;

export const SEED_TAG_GROUPS: CorpTagGroup[] = [
  {
    group_id: 'etSandboxGroupChannel',
    group_name: '渠道',
    create_time: CREATED,
    order: 1,
    tag: [
      { id: 'etSandboxTagLive', name: '直播间', create_time: CREATED, order: 1 },
      { id: 'etSandboxTagExpo', name: '展会', create_time: CREATED, order: 2 },
    ],
  },
  {
    group_id: 'etSandboxGroupLevel',
    group_name: '客户等级',
    create_time: CREATED,
    order: 2,
    tag: [
      { id: 'etSandboxTagA', name: 'A类', create_time: CREATED, order: 1 },
      { id: 'etSandboxTagB', name: 'B类', create_time: CREATED, order: 2 },
    ],
  },
];

/** Names given to customers who scan a channel QR code without a name chosen on the page. */
export const CUSTOMER_NAMES = ['刘洋', '陈静', '杨帆', '赵敏', '黄磊', '周婷', '吴昊', '徐丽', '孙浩', '马琳', '朱峰', '胡雪'];
