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
