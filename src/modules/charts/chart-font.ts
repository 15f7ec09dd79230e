import { existsSync } from 'node:fs';

/**
 * The CJK font the charts are drawn with. resvg draws text only with fonts it is given, and a
 * missing glyph is a box: Debian's fonts-wqy-microhei (installed by the README's set-up and
 * .ci/run) is the default, found at its Debian path; CRM_CHART_FONT names another file (TTF, OTF
 * or TTC, not WOFF2) of the same family.
 */
export const DEFAULT_CHART_FONT = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';

/** The family name inside the font file: what the SVG's text asks for. */
export const CHART_FONT_FAMILY = 'WenQuanYi Micro Hei';

/** Whether charts can be drawn: they are on and the font file is there. */
export function chartsAvailable(charts: { enabled: boolean; fontFile: string }): boolean {
  return charts.enabled && existsSync(charts.fontFile);
}
