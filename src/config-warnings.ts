import type { Config } from './config';

/** A setting that is valid but leaves part of the product without an audience: announced at start, in /readyz and /metrics. */
export interface ConfigWarning {
  /** stable, for the metric label */
  code: string;
  message: string;
}

export function configWarnings(config: Pick<Config, 'admins'>): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  if (config.admins.length === 0) {
    warnings.push({
      code: 'no_admins',
      message:
        'CRM_ADMINS is empty: nobody has admin rights in chat, and the nightly drift report and alerts meant for admins go to ' +
        'the team leads of the teams file (or nowhere when no team has a lead)',
    });
  }
  return warnings;
}
