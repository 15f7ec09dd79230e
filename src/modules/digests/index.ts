/** What other modules (and bots/) may use of digests. */
export { DigestService } from './digest.service';
export { digestsModule } from './digests.module';
