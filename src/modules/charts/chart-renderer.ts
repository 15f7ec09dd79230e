import type { EChartsCoreOption } from 'echarts';
import type { BarChart, ChartSpec, FunnelChart, LineChart } from '../../../templates/charts';
import { yuan } from '../../../templates/forecast';
import { CHART_FONT_FAMILY } from './chart-font';

/** The size every chart is drawn at: readable on a phone without zooming, small as a PNG (15–40 KB). */
export const CHART_SIZE = { width: 800, height: 480 } as const;

const COLORS = ['#3478f6', '#f5a623', '#34c38f', '#8e6cf0', '#f46a6a'];

/**
 * Draws a chart spec (templates/charts.ts) as a PNG: ECharts lays it out as SVG on the server (no
 * canvas, no browser), resvg rasterises the SVG with the one CJK font file given, and nothing else:
 * system fonts are not searched, so a machine without the font cannot silently draw boxes where the
 * Chinese should be (the charts are off instead, config-warnings.ts). Pure: data in, PNG out.
 */
export class ChartRenderer {
  constructor(private readonly fontFile: string) {}

  async render(spec: ChartSpec): Promise<Buffer> {
    return this.rasterise(await this.svg(spec));
  }

  /** The SVG ECharts draws for the spec (text as <text> elements, drawn by resvg with the font). */
  async svg(spec: ChartSpec): Promise<string> {
    // Loaded when the first chart is drawn: the web process and the CLIs never pay for ECharts.
    const echarts = await import('echarts');
    const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: CHART_SIZE.width, height: CHART_SIZE.height });
    try {
      chart.setOption(optionFor(spec));
      return chart.renderToSVGString();
    } finally {
      // without it the chart's timers keep the process alive
      chart.dispose();
    }
  }

  /** Any SVG to PNG with the chart font: also what the PNG tests use to draw a bare label. */
  async rasterise(svg: string): Promise<Buffer> {
    const { Resvg } = await import('@resvg/resvg-js');
    const resvg = new Resvg(svg, {
      background: '#ffffff',
      font: { fontFiles: [this.fontFile], loadSystemFonts: false, defaultFontFamily: CHART_FONT_FAMILY },
    });
    return resvg.render().asPng();
  }
}

function base(spec: ChartSpec): EChartsCoreOption {
  return {
    animation: false,
    color: COLORS,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: CHART_FONT_FAMILY },
    title: {
      text: spec.title,
      subtext: spec.subtitle,
      left: 24,
      top: 16,
      textStyle: { fontSize: 20, color: '#1f2329' },
      subtextStyle: { fontSize: 14, color: '#646a73' },
    },
  };
}

function optionFor(spec: ChartSpec): EChartsCoreOption {
  switch (spec.kind) {
    case 'funnel':
      return funnelOption(spec);
    case 'bars':
      return barOption(spec);
    case 'lines':
      return lineOption(spec);
  }
}

function funnelOption(spec: FunnelChart): EChartsCoreOption {
  // Widths by value, but never thinner than a sliver: a stage with 0 customers still shows its label.
  const max = Math.max(1, ...spec.steps.map((s) => s.reached));
  return {
    ...base(spec),
    series: [
      {
        type: 'funnel',
        sort: 'none',
        left: 80,
        right: 260,
        top: 96,
        bottom: 24,
        min: 0,
        max,
        minSize: '8%',
        gap: 4,
        label: {
          position: 'right',
          fontSize: 16,
          color: '#1f2329',
          formatter: (p: { name: string; dataIndex: number }) => {
            const step = spec.steps[p.dataIndex];
            return `${p.name} ${step?.value ?? 0}${step?.conversion ? `  转化 ${step.conversion}` : ''}`;
          },
        },
        labelLine: { length: 24 },
        data: spec.steps.map((s) => ({ name: s.label, value: s.reached })),
      },
    ],
  };
}

const shortYuan = (n: number) => (Math.abs(n) >= 10_000 ? `¥${Math.round(n / 1000) / 10}万` : yuan(n));

function barOption(spec: BarChart): EChartsCoreOption {
  const format = (n: number) => (spec.money ? shortYuan(n) : String(n));
  return {
    ...base(spec),
    legend: spec.series.length > 1 ? { top: 24, right: 24, textStyle: { fontSize: 14 } } : undefined,
    grid: { left: 24, right: 32, top: 100, bottom: 24, containLabel: true },
    xAxis: { type: 'category', data: spec.categories, axisLabel: { fontSize: 13, interval: 0, rotate: spec.categories.length > 6 ? 30 : 0 } },
    yAxis: { type: 'value', axisLabel: { fontSize: 12, formatter: format } },
    series: spec.series.map((s) => ({
      type: 'bar',
      name: s.name,
      barMaxWidth: 48,
      data: s.values.map((v) => (v === null ? '-' : v)),
      label: { show: true, position: 'top', fontSize: 12, formatter: (p: { value: number }) => format(Number(p.value)) },
    })),
  };
}

function lineOption(spec: LineChart): EChartsCoreOption {
  return {
    ...base(spec),
    legend: { top: 24, right: 24, textStyle: { fontSize: 14 } },
    // room at both ends: the first and last day's labels sit on the edges
    grid: { left: 48, right: 56, top: 100, bottom: 24, containLabel: true },
    xAxis: { type: 'category', data: spec.categories, boundaryGap: false, axisLabel: { fontSize: 12 } },
    yAxis: { type: 'value', minInterval: 1, axisLabel: { fontSize: 12 } },
    series: spec.series.map((s) => ({
      type: 'line',
      name: s.name,
      data: s.values,
      symbolSize: 7,
      lineStyle: { width: 3 },
      label: { show: s.values.length <= 10, position: 'top', fontSize: 12 },
    })),
  };
}
