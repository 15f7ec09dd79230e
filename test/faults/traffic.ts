import { parseCallbackFields } from '../../src/platform/wecom/callback/callback-xml';
import { dedupeKeyOf } from '../../src/platform/wecom/callback/inbound-event';
import { externalContactXml, textMessageXml } from '../helpers/wecom-callbacks';
import type { RecordingWorld } from './fake-wecom';
import { sleep } from './infra';
import type { TrackedEvent } from './ledger';
import { inParallel, type WecomSender } from './sender';

const SURNAMES = [...'赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛奚范彭郎'];
const GIVEN = [...'伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉玲斌宇浩凯健俊帆雪荣'];

/** Builds the callbacks of a scenario the way WeCom would send them, for the salespeople of the fake world. */
export class Traffic {
  private names = 0;
  private msgIds = 0;
  private markers = 0;
  /** every customer name handed out: the log scan looks for them */
  readonly namesUsed: string[] = [];

  constructor(
    private readonly world: RecordingWorld,
    private readonly corpId: string,
    readonly sender: WecomSender,
  ) {}

  private nextName(): string {
    const n = this.names++;
    const name = `${SURNAMES[n % SURNAMES.length]}${GIVEN[Math.floor(n / SURNAMES.length) % GIVEN.length]}${GIVEN[(n * 7 + 3) % GIVEN.length]}`;
    this.namesUsed.push(name);
    return name;
  }

  /** A customer who will scan a salesperson's QR code (`happen` makes it so, right before WeCom calls back). */
  add(staff: string): TrackedEvent & { name: string } {
    return { kind: 'add', plaintext: '', dedupeKey: '', staff, name: this.nextName() };
  }

  /**
   * The add happens: WeCom knows the customer now and issues the welcome code, valid 20 s from now,
   * and the callback is built. Called when the event is sent, not when the scenario plans it.
   */
  happen(event: TrackedEvent): TrackedEvent {
    if (event.kind !== 'add' || event.plaintext) return event;
    const { customer, welcomeCode } = this.world.addCustomer({ userid: event.staff, name: event.name });
    event.externalUserid = customer.external_contact.external_userid;
    event.welcomeCode = welcomeCode;
    event.plaintext = externalContactXml({
      corpId: this.corpId,
      changeType: 'add_external_contact',
      userId: event.staff,
      externalUserId: event.externalUserid,
      welcomeCode,
    });
    event.dedupeKey = dedupeKeyOf(parseCallbackFields(event.plaintext));
    return event;
  }

  /** Sends one event the WeCom way (retries on a non-200). */
  async deliver(event: TrackedEvent): Promise<void> {
    event.delivery = await this.sender.deliver(this.happen(event).plaintext);
  }

  /** A salesperson types a follow-up for one of their customers (named as they would). */
  command(staff: string, customerName: string): TrackedEvent {
    const marker = `PLAINTEXT-K7Q-${++this.markers}`;
    const msgId = String(7_000_000_000_000_000_000n + BigInt(Date.now()) * 1000n + BigInt(++this.msgIds % 1000));
    const plaintext = textMessageXml({
      corpId: this.corpId,
      from: staff,
      content: `记录跟进 ${customerName} 电话沟通了报价，客户手机13900001111 ${marker}`,
      msgId,
    });
    return { kind: 'command', plaintext, dedupeKey: dedupeKeyOf(parseCallbackFields(plaintext)), staff, marker };
  }

  /** Sends each event once the WeCom way (retries on non-200), `concurrency` in flight. */
  async send(events: TrackedEvent[], concurrency = 16, spacingMs = 0): Promise<void> {
    await inParallel(events, concurrency, async (event) => {
      await this.deliver(event);
      if (spacingMs) await sleep(spacingMs);
    });
  }
}
