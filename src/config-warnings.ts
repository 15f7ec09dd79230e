import type { Config } from './config';
import { chartsAvailable } from './modules/charts/chart-font';

/** A setting that is valid but leaves part of the product without an audience: announced at start, in /readyz and /metrics. */
export interface ConfigWarning {
  /** stable, for the metric label */
  code: string;
  message: string;
}

export function configWarnings(config: Pick<Config, 'admins'> & Partial<Pick<Config, 'charts'>>): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  if (config.admins.length === 0) {
    warnings.push({
      code: 'no_admins',
      message:
        'CRM_ADMINS is empty: nobody has admin rights in chat, and the nightly drift report and alerts meant for admins go to ' +
        'the team leads of the teams file (or nowhere when no team has a lead)',
    });
  }
  // Charts asked for but no font to draw their Chinese with: off, rather than boxes in every label.
  if (config.charts?.enabled && !chartsAvailable(config.charts)) {
    warnings.push({
      code: 'no_chart_font',
      message:
        `CRM_CHARTS is on but the chart font ${config.charts.fontFile} is missing: charts are off and the digests and 报表 go out as text ` +
        '(install it with `apt-get install fonts-wqy-microhei`, or set CRM_CHART_FONT to a CJK TTF/OTF/TTC file, or CRM_CHARTS=off)',
    });
  }
  return warnings;
}
