/** What other modules (and bots/) may use of follow-ups. */
export { FollowUpService } from './follow-up.service';
export { UndoService } from './undo.service';
