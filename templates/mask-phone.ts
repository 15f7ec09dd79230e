/**
 * Phone numbers as someone who does not own the customer sees them (PIPL minimum exposure): a
 * mobile keeps its network prefix and last four digits (138****5678), a landline its area code and
 * last four (010-****5678). Short numbers (95555, 10086, 110) are services anyone may know, and bare
 * runs of digits without a mobile or area-code shape (amounts, dates, order numbers) are left alone.
 * Pure: the caller decides whether the viewer may see the number (`showPhone`).
 */

/** +86 / 0086 / 86 before a mobile, as people write it. */
const COUNTRY = String.raw`(?:(?:\+|00)86[\s-]?|86[\s-])?`;
/** 13812345678, 138 1234 5678, 138-1234-5678 */
const MOBILE = String.raw`1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}`;
/** The area code: three digits for 010 and 02x, four elsewhere (0755), or in brackets as written. */
const AREA = String.raw`(?:\(0\d{2,3}\)|0[12]\d[\s-]?|0[3-9]\d{2}[\s-]?)`;
/** 010-12345678, 0755 1234567, (021)12345678 */
const LANDLINE = String.raw`${AREA}\d{7,8}`;
/** Not part of a longer run of digits: an order number that contains a mobile's shape is no mobile. */
const PHONE = new RegExp(String.raw`(?<![\d+])(${COUNTRY}${MOBILE}|${LANDLINE})(?!\d)`, 'g');

/** One phone number, masked; anything that is not a mobile or landline comes back as it was. */
export function maskPhone(phone: string): string {
  return phone.replace(PHONE, maskOne);
}

/** Every phone number inside a text (a follow-up note, a reminder), masked unless `showPhone`. */
export function maskPhones(text: string, showPhone = false): string {
  return showPhone ? text : text.replace(PHONE, maskOne);
}

const MOBILE_ONLY = new RegExp(`^(${COUNTRY})(${MOBILE})$`);
const AREA_FIRST = new RegExp(`^${AREA}`);

function maskOne(match: string): string {
  const last4 = match.replace(/\D/g, '').slice(-4);
  const mobile = MOBILE_ONLY.exec(match);
  // The country code as written, the network prefix, the rest hidden but the last four.
  if (mobile) return `${mobile[1]}${mobile[2]!.slice(0, 3)}****${last4}`;
  // A landline: the area code as written (with its bracket or dash).
  return `${AREA_FIRST.exec(match)?.[0] ?? ''}****${last4}`;
}
