import { existsSync } from 'node:fs';
import { PNG } from 'pngjs';
import { CHART_SIZE, ChartRenderer, DEFAULT_CHART_FONT } from '../../src/modules/charts';
import { type ChartSpec, funnelChart, MAX_BARS, pipelineChart, trendChart, wonChart } from '../../templates/charts';

/**
 * The PNGs the charts become, decoded: their size, that they are not blank, that text is drawn and
 * that Chinese is drawn as Chinese (two different characters look different; tofu would draw both
 * as the same box). Needs the chart font (fonts-wqy-microhei: README set-up, .ci/run).
 */

const renderer = new ChartRenderer(DEFAULT_CHART_FONT);
const decode = (png: Buffer) => PNG.sync.read(png);

/** How many different colours the image has. */
function colours(image: PNG): number {
  const seen = new Set<number>();
  for (let i = 0; i < image.data.length; i += 4) seen.add(image.data.readUInt32BE(i));
  return seen.size;
}

/** How many pixels differ between two images of the same size. */
function differing(a: PNG, b: PNG): number {
  let n = 0;
  for (let i = 0; i < a.data.length; i += 4) if (a.data.readUInt32BE(i) !== b.data.readUInt32BE(i)) n += 1;
  return n;
}

/** A bare label drawn as a chart's text is (an SVG <text> with the chart font), on 200×80 white. */
async function label(text: string): Promise<PNG> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="80"><text x="10" y="55" font-size="40" font-family="WenQuanYi Micro Hei">${text}</text></svg>`;
  return decode(await renderer.rasterise(svg));
}

const day = (d: number, weekday: number) => ({ year: 2026, month: 11, day: d, weekday });

const SPECS: Record<string, ChartSpec> = {
  funnel: funnelChart('华东销售一组', { lead: 120, prospect: 60, opportunity: 20, won: 5, lost: 7 }),
  pipeline: pipelineChart('华东销售一组', [
    { stage: 'lead', amount: 120_000, count: 3 },
    { stage: 'prospect', amount: 480_000, count: 6 },
    { stage: 'opportunity', amount: 1_250_000, count: 9 },
    { stage: 'won', amount: 0, count: 0 },
  ]),
  // the largest a chart gets: more members than it draws, long names, every bar labelled
  won: wonChart(
    '华东销售一组、华南销售二组',
    '11月',
    Array.from({ length: 30 }, (_, i) => ({
      name: `欧阳${'甲乙丙丁戊己庚辛壬癸'[i % 10]}某某${i}`,
      won: 31_000 * ((i * 7) % 13),
      target: i % 3 ? 250_000 : null,
    })),
  ),
  trend: trendChart(
    '华东销售一组',
    '上周',
    [3, 8, 2, 12, 6, 0, 1].map((n, i) => ({ day: day(23 + i, (i + 1) % 7), newCustomers: n, followUps: n * 2 + 3 })),
  ),
};

describe('chart images', () => {
  it('has the chart font installed (apt-get install fonts-wqy-microhei)', () => {
    expect(existsSync(DEFAULT_CHART_FONT)).toBe(true);
  });

  it.each(Object.keys(SPECS))('%s: a PNG of the chart size, not blank, far under the robot’s 2 MB', async (name) => {
    const png = await renderer.render(SPECS[name]!);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeLessThan(200_000);
    const image = decode(png);
    expect({ width: image.width, height: image.height }).toEqual(CHART_SIZE);
    // a white page with a title would have a handful; bars, lines, anti-aliased text have hundreds
    expect(colours(image)).toBeGreaterThan(100);
  });

  it('draws the same chart the same way (a retry sends the same picture)', async () => {
    const [a, b] = await Promise.all([renderer.render(SPECS.funnel!), renderer.render(SPECS.funnel!)]);
    expect(a.equals(b)).toBe(true);
  });

  it('draws text: a label differs from no label where the label is', async () => {
    const [text, empty] = await Promise.all([label('漏斗 120'), label('')]);
    expect(differing(text, empty)).toBeGreaterThan(300);
  });

  it('draws Chinese as Chinese, not boxes: different characters differ, and none is a box or the missing-glyph mark', async () => {
    const [lou, dou, funnel, boxes, missing] = await Promise.all([label('漏'), label('斗'), label('漏斗'), label('\u25A1\u25A1'), label('\uE000\uE000')]);
    // with tofu every character is the same notdef box
    expect(differing(lou, dou)).toBeGreaterThan(100);
    expect(differing(funnel, boxes)).toBeGreaterThan(100);
    expect(differing(funnel, missing)).toBeGreaterThan(100);
  });

  it('words the funnel’s conversion as the digest does: of those at a stage or beyond, the share at the next or beyond', () => {
    const spec = SPECS.funnel as ReturnType<typeof funnelChart>;
    expect(spec.steps.map((s) => [s.label, s.value, s.conversion])).toEqual([
      ['线索', 120, null],
      ['潜在客户', 60, '41%'],
      ['商机', 20, '29%'],
      ['成交', 5, '20%'],
    ]);
    expect(spec.steps.map((s) => s.reached)).toEqual([205, 85, 25, 5]);
    expect(spec.subtitle).toMatch(/流失 7$/);
  });

  it('draws at most MAX_BARS members and says how many more there are', () => {
    const spec = SPECS.won as ReturnType<typeof wonChart>;
    expect(spec.categories).toHaveLength(MAX_BARS);
    expect(spec.subtitle).toMatch(/另有18人未显示$/);
  });
});
