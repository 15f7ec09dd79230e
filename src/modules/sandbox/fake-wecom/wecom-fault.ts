/** An answer WeCom would give with a non-zero errcode: thrown by the fake's areas, answered as `{ errcode, errmsg }`. */
export class WecomFault extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(`${errcode} ${errmsg}`);
    this.name = 'WecomFault';
  }
}
