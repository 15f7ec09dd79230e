/** What other modules, the bots and the composition root may use of the pipeline (opportunities and the forecast). */
export { OpportunityService, type CloseOutcome, type CloseResult, type RecordResult } from './opportunity.service';
export { type OpportunitySnapshot, restoreOpportunity } from './opportunity-snapshot';
export { closeOpenOpportunities, stageCloseKey, type ClosedByStage } from './stage-closing';
export { ForecastService } from './forecast.service';
export { forecastPerStaff } from './forecast-queries';
export { ForecastTargets, type TargetsFile } from './forecast-targets';
export { forecastWindow, type ForecastWindow } from './forecast-period';
export { pipelineModule, PIPELINE_JOBS } from './pipeline.module';
export { sendCloseDateNudges } from './close-date-nudges';
export { pipelinePerStaff } from './pipeline-queries';
export { averageDaysToClose, NO_PIPELINE, type PipelineFigures, sumPipeline, winRate } from '../../../templates/pipeline-figures';
