import { lostCustomerGroupMarkdown } from '../../templates/cards/capture-alert.cards';
import { customerSummaryCard, timelinePageMarkdown } from '../../templates/cards/customer-summary.card';
import { overdueReminderMarkdown } from '../../templates/cards/reminder-cards';
import { sopStepMarkdown } from '../../templates/cards/sop-messages';
import { maskPhone, maskPhones } from '../../templates/mask-phone';

describe('maskPhone', () => {
  it.each([
    ['13812345678', '138****5678'],
    ['138 1234 5678', '138****5678'],
    ['138-1234-5678', '138****5678'],
    ['+8613812345678', '+86138****5678'],
    ['+86 13812345678', '+86 138****5678'],
    ['008613812345678', '0086138****5678'],
    ['86 13812345678', '86 138****5678'],
    ['010-12345678', '010-****5678'],
    ['0755-2345678', '0755-****5678'],
    ['(021)62345678', '(021)****5678'],
    ['02162345678', '021****5678'],
    // short and service numbers are nobody's personal data
    ['95555', '95555'],
    ['10086', '10086'],
    ['110', '110'],
    ['5678', '5678'],
    // not phone-shaped: an amount, a number too long to be a mobile
    ['12345678', '12345678'],
    ['123456789012345', '123456789012345'],
    ['138123456789', '138123456789'],
  ])('%s → %s', (phone, masked) => {
    expect(maskPhone(phone)).toBe(masked);
  });
});

describe('maskPhones', () => {
  it('masks every number in a note and leaves amounts and dates', () => {
    expect(maskPhones('客户手机13812345678，座机010-12345678，报价¥50000，2026/11/20回电')).toBe(
      '客户手机138****5678，座机010-****5678，报价¥50000，2026/11/20回电',
    );
  });

  it('leaves the text as written for the owner', () => {
    expect(maskPhones('打13812345678', true)).toBe('打13812345678');
  });
});

describe('where phone numbers are masked', () => {
  const card = (showPhone: boolean | undefined) =>
    JSON.stringify(
      customerSummaryCard({
        name: '张三',
        stage: '商机',
        daysAsCustomer: 3,
        daysInStage: 1,
        owners: ['张三销售'],
        channel: '直接添加',
        tags: [],
        recentFollowUps: ['11/20 张三销售：客户手机13812345678'],
        openReminders: 1,
        nextReminder: '11月24日 周二 15:00 打13812345678',
        openOpportunity: null,
        moreCommand: '查客户 张三 全部',
        showPhone,
      }),
    );

  it('the profile card and the timeline show them to the owner only', () => {
    expect(card(true)).toContain('13812345678');
    for (const other of [false, undefined]) {
      expect(card(other)).not.toContain('13812345678');
      expect(card(other)).toContain('138****5678');
    }
    const page = (showPhone: boolean) =>
      timelinePageMarkdown({ name: '张三', page: 1, pages: 1, total: 1, lines: ['11/20 跟进：客户手机13812345678'], nextCommand: null, showPhone });
    expect(page(true)).toContain('13812345678');
    expect(page(false)).toContain('138****5678');
  });

  it('a team group never sees them; the salesperson’s own SOP message does', () => {
    const overdue = overdueReminderMarkdown({
      staffName: '张三销售',
      mention: 'zhangsan',
      customerName: '13912345678',
      content: '打13812345678',
      due: '今天',
      overdueFor: '1小时',
    });
    expect(overdue).toContain('139****5678');
    expect(overdue).toContain('138****5678');
    const lost = lostCustomerGroupMarkdown({ customerName: '13812345678', externalUserid: 'wm1', staffName: '张三销售', staffUserid: 'zhangsan', at: '今天' });
    expect(lost).toContain('138****5678');
    const step = { sopTitle: '新客户', stepNumber: 1, stepCount: 2, customerName: '张三', text: '回拨13812345678' };
    expect(sopStepMarkdown({ ...step, mention: { wecomUserid: 'zhangsan', name: '张三销售', robot: true } })).toContain('138****5678');
    expect(sopStepMarkdown(step)).toContain('13812345678');
  });
});
