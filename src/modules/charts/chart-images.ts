import type { ImageSource } from '../../platform/outbound/outbound.types';
import type { ChartSpec } from '../../../templates/charts';
import { ChartRenderer } from './chart-renderer';

/** The outbound queue's picture source: an image message's source is a chart spec, drawn with the chart font. */
export function chartImages(fontFile: string): ImageSource {
  const renderer = new ChartRenderer(fontFile);
  return { render: (source) => renderer.render(source as unknown as ChartSpec) };
}
