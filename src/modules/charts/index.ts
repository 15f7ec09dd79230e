/** What other modules, the bots and the composition root may use of the charts. */
export { ChartRenderer, CHART_SIZE } from './chart-renderer';
export { chartsAvailable, CHART_FONT_FAMILY, DEFAULT_CHART_FONT } from './chart-font';
export { ChartService, type ChartSubject, type NamedChart } from './chart.service';
export { sendCharts, type ChartRecipient } from './chart-sender';
export { chartImages } from './chart-images';
