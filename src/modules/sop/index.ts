/** What other modules may use of SOPs. */
export { checkChannelRuleSops, createSopModule } from './sop.module';
